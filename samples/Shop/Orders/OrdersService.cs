using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.Tracing;

namespace Shop.Orders;

/// <summary>
/// Service B of the seed: continues the browser's trace (the middleware does that), saves the order in a
/// <c>db.query</c> span, and calls payments with a factory client that carries the trace on.
/// </summary>
public static class OrdersService
{
    /// <summary>The CORS policy that lets the storefront's page send the trace headers.</summary>
    public const string StorefrontPolicy = "storefront";

    private const decimal UnitPrice = 3.50m;

    /// <summary>Adds the orders API's services to <paramref name="builder"/> and builds it.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddTracing();
        builder.Services.AddSingleton<OrderStore>();
        builder.Services.AddHttpClient<PaymentsClient>((sp, client) =>
            client.BaseAddress = sp.GetRequiredService<ShopLinks>().Payments);

        // The page's fetch is cross-origin and carries sentry-trace and baggage: without these allowed
        // headers the browser fails the preflight and the order is never placed.
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<ShopLinks>((cors, links) => cors.AddPolicy(StorefrontPolicy, policy => policy
            .SetIsOriginAllowed(links.IsStorefrontOrigin)
            .WithMethods("POST")
            .WithHeaders("content-type", "sentry-trace", "baggage")));

        var app = builder.Build();
        app.UseCors();
        app.MapPost("/api/orders", PlaceOrderAsync).RequireCors(StorefrontPolicy);
        return app;
    }

    private static async Task<IResult> PlaceOrderAsync(OrderRequest order, OrderStore store, PaymentsClient payments, SentryTracer tracer, CancellationToken cancellationToken)
    {
        if (order.Quantity is < 1 or > 100 || string.IsNullOrWhiteSpace(order.Item))
        {
            return Results.BadRequest("an order needs an item and a quantity from 1 to 100");
        }

        long orderId;
        using (tracer.StartSpan("INSERT INTO orders", "db.query"))
        {
            orderId = await store.SaveAsync(order, cancellationToken);
        }

        var amount = order.Quantity * UnitPrice;
        var charge = await payments.ChargeAsync(orderId, amount, cancellationToken);
        return Results.Ok(new OrderPlaced(orderId, charge.TransactionId, amount));
    }
}
