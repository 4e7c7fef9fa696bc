using System.Diagnostics;
using LoadApp;
using OpenTelemetry;
using OpenTelemetry.Trace;

// The app build/bench.sh puts under wrk (and build/stress.sh under slow clients): one route, in one of six modes
// (first argument, or LOADAPP_MODE).
//   bare   nothing but the route
//   ours   AddTracing, every request sampled (the caller sends -1), exported to the Sentry-like sink at
//          LOADAPP_SINK (host:port; nothing listening there is the "receiver down" case); TracesSampleRate is
//          LOADAPP_SAMPLE_RATE (1 when unset), which decides for callers that send no decision
//   ours-discard  AddTracing, every request sampled, handed to an exporter that discards in process (what the
//          otel line does with its spans): the request path and the collection of spans, without sending
//   otel   OpenTelemetry SDK: TracerProvider recording ASP.NET Core's own activity, AlwaysOn, batch
//          processor, an exporter that discards
//   tunnel AddTracing (propagation only) and MapSentryTunnel("/monitoring") forwarding to the sink at LOADAPP_SINK;
//          Tracing:Tunnel settings come from the environment (Tracing__Tunnel__MaxBodySize, ...): the app
//          build/stress.sh holds slow connections against
//   sink   the Sentry-like receiver: accepts envelopes and discards them, answering LOADAPP_SINK_STATUS
//          (200, or 429 with Retry-After: 1) with a body of LOADAPP_SINK_BODY_BYTES bytes (none when unset);
//          GET /count says how many it has received
// Other arguments go to the host (for example --urls http://127.0.0.1:5301).
var mode = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : Environment.GetEnvironmentVariable("LOADAPP_MODE") ?? "bare";
var hostArgs = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;

var builder = WebApplication.CreateSlimBuilder(hostArgs);

// Warnings only, as in production: a per-request information line would measure the console, not tracing.
builder.Logging.SetMinimumLevel(LogLevel.Warning);

TracerProvider? openTelemetry = null;
switch (mode)
{
    case "bare":
    case "sink":
        break;
    case "ours":
        var sink = Environment.GetEnvironmentVariable("LOADAPP_SINK") ?? "127.0.0.1:5399";
        var rate = double.TryParse(Environment.GetEnvironmentVariable("LOADAPP_SAMPLE_RATE"), System.Globalization.CultureInfo.InvariantCulture, out var r) ? r : 1.0;
        AddOurs(builder.Services, $"http://loadkey@{sink}/1", rate);
        break;
    case "tunnel":
        builder.Services.AddTracing(o =>
        {
            o.Dsn = $"http://loadkey@{Environment.GetEnvironmentVariable("LOADAPP_SINK") ?? "127.0.0.1:5399"}/1";
            o.ConsoleExporter = false;
        });
        break;
    case "ours-discard":
        AddOurs(builder.Services, dsn: null, rate: 1.0);
        builder.Services.AddTraceExporter(new DiscardingTraceExporter());
        break;
    case "otel":
        openTelemetry = Sdk.CreateTracerProviderBuilder()
            .AddSource("Microsoft.AspNetCore")
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new DiscardingActivityExporter()))
            .Build();
        break;
    default:
        Console.Error.WriteLine($"Unknown mode '{mode}': use bare, ours, ours-discard, otel, tunnel or sink.");
        return 2;
}

var app = builder.Build();
if (mode == "sink")
{
    var status = int.TryParse(Environment.GetEnvironmentVariable("LOADAPP_SINK_STATUS"), out var s) ? s : StatusCodes.Status200OK;
    var bodyBytes = long.TryParse(Environment.GetEnvironmentVariable("LOADAPP_SINK_BODY_BYTES"), out var b) ? b : 0;
    var filler = new byte[64 * 1024];
    long envelopes = 0;
    long bodiesCutOff = 0;
    app.MapPost("/api/{project}/envelope/", async (HttpContext context) =>
    {
        // Read it all, as a receiver does, and keep nothing.
        var buffer = new byte[16 * 1024];
        while (await context.Request.Body.ReadAsync(buffer) > 0)
        {
        }

        Interlocked.Increment(ref envelopes);
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status429TooManyRequests)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        if (bodyBytes > 0)
        {
            context.Response.ContentLength = bodyBytes;
            try
            {
                for (var left = bodyBytes; left > 0; left -= filler.Length)
                {
                    await context.Response.Body.WriteAsync(filler.AsMemory(0, (int)Math.Min(left, filler.Length)), context.RequestAborted);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The client stopped reading and closed the connection: what an exporter that wants only the status does.
                Interlocked.Increment(ref bodiesCutOff);
            }
        }
    });
    app.MapGet("/count", () => Interlocked.Read(ref envelopes).ToString(System.Globalization.CultureInfo.InvariantCulture));
    app.Lifetime.ApplicationStopped.Register(() => Console.WriteLine($"sink: {Interlocked.Read(ref envelopes)} envelopes received, {Interlocked.Read(ref bodiesCutOff)} answer bodies cut off by the client"));
}
else
{
    app.MapGet("/orders/{id}", static (string id) => "order " + id);
    if (mode == "tunnel")
    {
        app.MapSentryTunnel("/monitoring");
    }
}

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"ready: {mode}, process {Environment.ProcessId}, activity listeners on Microsoft.AspNetCore: {HasListeners("Microsoft.AspNetCore")}, on TraceMiddleware: {HasListeners("TraceMiddleware")}"));
app.Run();
openTelemetry?.Dispose();
return 0;

// The tracing every "ours" line runs with; only where the spans go and the rate differ.
static void AddOurs(IServiceCollection services, string? dsn, double rate) => services.AddTracing(o =>
{
    o.Dsn = dsn;
    o.TracesSampleRate = rate;
    o.Release = "loadapp@1.0.0";
    o.Environment = "production";
    o.ConsoleExporter = false;
});

static bool HasListeners(string name)
{
    using var source = new ActivitySource(name);
    return source.HasListeners();
}
