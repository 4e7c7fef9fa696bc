using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sentry;
using TraceMiddleware.Testing;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// An app that runs both: <c>AddTracing()</c>, sending its transactions to project 1 of the stand-in, and Sentry's
/// own SDK (<c>Sentry.AspNetCore</c>) with <c>UseTraceMiddleware()</c>, sending its events to project 2. Its endpoints
/// fail in the ways an app does: in the endpoint, inside a child span, in an outgoing call, in a middleware before
/// any endpoint; one logs an error instead.
/// </summary>
public sealed class SentryErrorsApp : IAsyncDisposable
{
    public const string TracingProject = "1";
    public const string SentryProject = "2";

    private readonly WebApplication _app;

    private SentryErrorsApp(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <param name="standIn">Where both send.</param>
    /// <param name="sentryFirst">Whether <c>UseSentry</c> is called before <c>AddTracing</c> (so Sentry's middleware is outermost).</param>
    public static async Task<SentryErrorsApp> StartAsync(SentryIngestStandIn standIn, bool sentryFirst = true)
    {
        var (app, baseAddress) = await LoopbackServer.StartAsync(
            app =>
            {
                app.Use(async (context, next) =>
                {
                    if (context.Request.Path.StartsWithSegments("/broken"))
                    {
                        throw new InvalidOperationException("a middleware failed");
                    }

                    await next(context);
                });
                app.MapGet("/orders/{id}/fail", string (string id) => throw new InvalidOperationException($"order {id} failed"));
                app.MapGet("/orders/{id}/fail-in-span", string (string id, SentryTracer tracer) =>
                {
                    using (tracer.StartSpan("charge card", "payment"))
                    {
                        throw new InvalidOperationException($"card for order {id} declined");
                    }
                });
                app.MapGet("/orders/{id}/log", string (string id, SentryTracer tracer, ILogger<SentryErrorsApp> logger) =>
                {
                    using (tracer.StartSpan("reserve stock", "inventory"))
                    {
                        logger.LogError("Stock for order {OrderId} is short", id);
                    }

                    return "reserved what there was";
                });
                app.MapGet("/orders/{id}/call", async (string id, string url, IHttpClientFactory factory) =>
                {
                    using var response = await factory.CreateClient("downstream").GetAsync(url);
                    return $"order {id}: {(int)response.StatusCode}";
                });
            },
            builder =>
            {
                if (sentryFirst)
                {
                    UseSentry(builder, standIn);
                }

                builder.Services.AddTracing(o =>
                {
                    o.Dsn = standIn.Dsn("tracing", int.Parse(TracingProject, System.Globalization.CultureInfo.InvariantCulture));
                    o.TracesSampleRate = 1;
                    o.Environment = "production";
                    o.TracePropagationTargets = ["only.example.invalid"];
                });

                if (!sentryFirst)
                {
                    UseSentry(builder, standIn);
                }
            },
            new WebApplicationOptions { EnvironmentName = "Production" });
        return new SentryErrorsApp(app, baseAddress);
    }

    /// <summary>Sends <paramref name="path"/> with the given trace headers (none when null) and returns the status.</summary>
    public async Task<int> GetAsync(string path, string? sentryTrace = null, string? baggage = null)
    {
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { Timeout = Waits.Peer };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseAddress, path.TrimStart('/')));
        if (sentryTrace is not null)
        {
            request.Headers.TryAddWithoutValidation("sentry-trace", sentryTrace);
        }

        if (baggage is not null)
        {
            request.Headers.TryAddWithoutValidation("baggage", baggage);
        }

        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>Waits until Sentry's SDK has sent everything it captured.</summary>
    public static Task FlushSentryAsync() => SentrySdk.FlushAsync(Waits.Peer);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static void UseSentry(WebApplicationBuilder builder, SentryIngestStandIn standIn) =>
        builder.WebHost.UseSentry(o =>
        {
            o.Dsn = standIn.Dsn("errors", int.Parse(SentryProject, System.Globalization.CultureInfo.InvariantCulture));
            o.Environment = "production";
            o.UseTraceMiddleware();
        });
}
