namespace TraceMiddleware.IntegrationTests.Infrastructure;

/// <summary>Keeps the highest value seen by threads that report at the same time (a peak queue length, say).</summary>
public static class InterlockedMax
{
    /// <summary>Raises <paramref name="target"/> to <paramref name="value"/> unless another thread already raised it higher.</summary>
    public static void Update(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
