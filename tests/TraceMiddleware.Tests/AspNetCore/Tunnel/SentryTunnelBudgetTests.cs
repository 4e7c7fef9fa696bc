using TraceMiddleware.AspNetCore.Tunnel;

namespace TraceMiddleware.Tests.AspNetCore.Tunnel;

public class SentryTunnelBudgetTests
{
    [Fact]
    public void TryReserve_UpToTheMax_Succeeds_AndOneBytePastIsRefused()
    {
        var budget = new SentryTunnelBudget(100);

        var first = budget.TryReserve(60);
        var second = budget.TryReserve(40);
        var past = budget.TryReserve(1);

        Assert.True(first);
        Assert.True(second);
        Assert.False(past);
        Assert.Equal(100, budget.Held);
    }

    [Fact]
    public void Release_MakesRoomAgain()
    {
        var budget = new SentryTunnelBudget(100);
        budget.TryReserve(100);

        budget.Release(100);

        Assert.Equal(0, budget.Held);
        Assert.True(budget.TryReserve(100));
    }

    [Fact]
    public void RefusedReservation_HoldsNothing()
    {
        var budget = new SentryTunnelBudget(100);
        budget.TryReserve(90);

        var refused = budget.TryReserve(20);

        Assert.False(refused);
        Assert.Equal(90, budget.Held);
        Assert.True(budget.TryReserve(10));
    }

    [Fact]
    public void ConcurrentReservations_NeverHoldMoreThanTheMax()
    {
        var budget = new SentryTunnelBudget(1000);
        var granted = 0;
        var observedOver = false;

        Parallel.For(0, 100_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var bytes = 1 + (i % 300);
            if (budget.TryReserve(bytes))
            {
                Interlocked.Increment(ref granted);
                if (budget.Held > 1000)
                {
                    observedOver = true;
                }

                budget.Release(bytes);
            }
        });

        Assert.False(observedOver);
        Assert.True(granted > 0);
        Assert.Equal(0, budget.Held);
    }
}
