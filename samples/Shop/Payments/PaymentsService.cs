using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.Tracing;

namespace Shop.Payments;

/// <summary>
/// Service C of the seed: continues the orders API's trace (the middleware does that) and opens a
/// <c>payment.charge</c> and a <c>db.query</c> span.
/// </summary>
public static class PaymentsService
{
    /// <summary>Adds the payments service's services to <paramref name="builder"/> and builds it.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddTracing();
        builder.Services.AddSingleton<Ledger>();

        var app = builder.Build();
        app.MapPost("/charge", ChargeAsync);
        return app;
    }

    private static async Task<IResult> ChargeAsync(ChargeRequest charge, Ledger ledger, SentryTracer tracer, CancellationToken cancellationToken)
    {
        if (charge.Amount <= 0)
        {
            return Results.BadRequest("the amount must be positive");
        }

        string transactionId;
        using (tracer.StartSpan("charge card", "payment.charge"))
        {
            transactionId = await ledger.ChargeCardAsync(charge, cancellationToken);
        }

        var result = new ChargeResult(transactionId, charge.OrderId, charge.Amount);
        using (tracer.StartSpan("INSERT INTO transactions", "db.query"))
        {
            await ledger.RecordAsync(result, cancellationToken);
        }

        return Results.Ok(result);
    }
}
