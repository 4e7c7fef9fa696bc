using System.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace MinimalApp;

/// <summary>A minimal API (plus one controller) that reports what tracing did, for the integration tests.</summary>
public class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddTracing();
        builder.Services.AddControllers().AddApplicationPart(typeof(Program).Assembly);
        builder.Services.AddHttpClient("downstream");

        var app = builder.Build();
        if (app.Configuration.GetValue<bool>("UseTracingByHand"))
        {
            app.UseTracing();
            app.UseTracing();
        }

        app.MapGet("/api/orders/{id}", (string id) => SpanInfo.Current());
        app.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.MapGet("/wait", async (HttpContext context) => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        app.MapGet("/throw", IResult () => throw new InvalidOperationException("boom"));

        // Calls ?url= with a factory client (the named ?client=, "downstream" by default, or a plain new HttpClient()
        // with ?plain=true) and reports what the downstream server saw and which span made the call.
        app.MapGet("/call", async (string url, bool? plain, string? client, IHttpClientFactory factory) =>
        {
            using var http = plain == true ? new HttpClient() : factory.CreateClient(client ?? "downstream");
            var body = await http.GetStringAsync(url);
            return Results.Text(body, "application/json");
        });

        // The same with an HttpClient whose handler holds .NET's own header propagator, as one created before
        // AddTracing() ran does (a static field initialised early, say).
        app.MapGet("/call-early", async (string url) => Results.Text(await EarlyClient.Instance.GetStringAsync(url), "application/json"));

        // Calls each of ?url= (one or more) twice, with a factory client and with a plain new HttpClient().
        app.MapGet("/call-each", async (string[] url, IHttpClientFactory factory) =>
        {
            using var plain = new HttpClient();
            var client = factory.CreateClient("downstream");
            foreach (var u in url)
            {
                (await client.GetAsync(u)).Dispose();
                (await plain.GetAsync(u)).Dispose();
            }

            return Results.Ok();
        });

        // Two calls in a row from the same request: each must carry this request's trace.
        app.MapGet("/fanout", async (string url, IHttpClientFactory factory) =>
        {
            var client = factory.CreateClient("downstream");
            await client.GetStringAsync(url + "/1");
            await client.GetStringAsync(url + "/2");
            return Results.Ok();
        });

        app.MapGet("/health", () => "ok");

        // A transaction with Sentry tags and a user, and span attributes another instrumentation might write
        // (some of them personal data).
        app.MapGet("/tagged", (SentryTracer tracer) =>
        {
            tracer.SetTag("tenant", "acme");
            tracer.SetUser(new TraceMiddleware.Transactions.SentryUser { Id = "42", Email = "ada@example.com" });
            var span = Activity.Current!;
            span.SetTag("sentry.tag.plan", "gold");
            span.SetTag("user_agent.original", "curl/8.0");
            span.SetTag("client.address", "203.0.113.7");
            span.SetTag("url.query", "?token=secret");
            span.SetTag("http.request.header.x-api-key", new[] { "k-123" });
            span.SetTag("app.cart.items", 3);
            using var child = tracer.StartSpan("GET http://payments.internal/charge", "http.client");
            child?.SetTag("url.full", "http://payments.internal/charge?card=4111");
            return "tagged";
        });

        app.MapGet("/manual", (SentryTracer tracer) =>
        {
            using var span = tracer.StartSpan("INSERT INTO orders", "db.query");
            return SpanInfo.Current();
        });

        // What this request would pass on: the headers for a call and the browser's meta tags.
        app.MapGet("/trace-out", (HttpContext context, SentryTracer tracer) =>
        {
            var headers = tracer.GetTraceHeaders();
            return new TraceOut(headers.SentryTrace, headers.Baggage, headers.TraceParent, headers.TraceState, TraceMiddleware.AspNetCore.TraceMetaTags.Render(context));
        });

        app.MapControllers();
        app.Run();
    }
}

/// <summary>An HttpClient built with .NET's default header propagator, as before <c>AddTracing()</c>.</summary>
public static class EarlyClient
{
    public static readonly HttpClient Instance = new(new SocketsHttpHandler { ActivityHeadersPropagator = DistributedContextPropagator.CreateDefaultPropagator() });
}

/// <summary>What a test wants to know about the current span.</summary>
public sealed record SpanInfo(string? TraceId, string? SpanId, string? ParentSpanId, bool Recorded, string? Name)
{
    public static SpanInfo Current()
    {
        var a = Activity.Current;
        return new SpanInfo(a?.TraceId.ToHexString(), a?.SpanId.ToHexString(), a?.ParentSpanId.ToHexString(), a?.Recorded ?? false, a?.DisplayName);
    }
}

public sealed record TraceOut(string? SentryTrace, string? Baggage, string? TraceParent, string? TraceState, string Meta);

[ApiController]
[Route("api/customers")]
public sealed class CustomersController : ControllerBase
{
    [HttpGet("{customerId:int}")]
    public SpanInfo Get(int customerId) => SpanInfo.Current();
}
