using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using OpenTelemetry.Context.Propagation;
using TraceMiddleware.Http;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;
using OtelBaggage = OpenTelemetry.Baggage;

namespace TraceMiddleware.OpenTelemetry;

/// <summary>
/// OpenTelemetry's default propagator made to agree with the library: it reads an incoming trace as the library does
/// (<c>sentry-trace</c> first, then <c>traceparent</c> when allowed), so OpenTelemetry's ASP.NET Core instrumentation
/// finds the request's activity already in the right trace and starts no second one; and it leaves HTTP requests
/// alone, so OpenTelemetry's HttpClient instrumentation adds no header of its own: .NET asks the library's propagator
/// right after, and that one holds every header to the propagation targets.
/// </summary>
internal sealed class TraceMiddlewarePropagator : TextMapPropagator
{
    private static readonly HashSet<string> s_fields = [.. TraceHeaderNames.All];

    public override ISet<string> Fields => s_fields;

    public override PropagationContext Extract<T>(PropagationContext context, T carrier, Func<T, string, IEnumerable<string>?>? getter)
    {
        if (context.ActivityContext != default || carrier is null || getter is null)
        {
            return context;
        }

        if (carrier is HttpRequest request)
        {
            return ExtractFromRequest(request, context);
        }

        var headers = new EnumerableTraceHeaders<T>(carrier, getter);
        return IncomingTrace.TryReadParentContext(headers, continueFromTraceparent: true, null, false, out var parent, out var traceState)
            ? new PropagationContext(Remote(parent, traceState), BaggageOf(headers))
            : context;
    }

    public override void Inject<T>(PropagationContext context, T carrier, Action<T, string, string> setter)
    {
        if (carrier is null || setter is null || carrier is HttpRequestMessage)
        {
            // .NET's DiagnosticsHandler asks the library's propagator for this request, on every hop.
            return;
        }

        // Any other carrier (a message, say): the trace of the current span, wherever the app sends it.
        var current = Activity.Current;
        if (current is null || current.TraceId != context.ActivityContext.TraceId)
        {
            return;
        }

        var root = TraceRoot.Find(current);
        if (root is null)
        {
            setter(carrier, TraceParentHeader.HeaderName, current.Id!);
            return;
        }

        var headers = TraceHeaderWriter.Create(current, root, root.Runtime, root.Runtime.Options.PropagateTraceparent);
        Set(carrier, setter, SentryTraceHeader.HeaderName, headers.SentryTrace);
        Set(carrier, setter, Baggage.HeaderName, headers.Baggage);
        Set(carrier, setter, TraceParentHeader.HeaderName, headers.TraceParent);
        Set(carrier, setter, TraceStateHeader.HeaderName, headers.TraceState);
    }

    /// <summary>
    /// The parent the host's propagator gave the request's activity, read by the same rules with the host's settings,
    /// and nothing for a caller the host does not trust (the library then starts the request's trace afresh).
    /// </summary>
    private static PropagationContext ExtractFromRequest(HttpRequest request, PropagationContext context)
    {
        var runtime = request.HttpContext.RequestServices?.GetService<TracingRuntime>();
        var options = runtime?.Options;
        if (options?.TrustIncomingTraceHeaders is { } trust && !trust(request.HttpContext))
        {
            return context;
        }

        var headers = new RequestTraceHeaders(request.Headers);
        if (!IncomingTrace.TryReadParentContext(headers, options?.ContinueFromTraceparent ?? true, runtime?.OrgId, options?.StrictTraceContinuation ?? false, out var parent, out var traceState))
        {
            return context;
        }

        var remote = Remote(parent, traceState);

        // A caller that sent a trace id only got a made-up parent span: the request's activity has the one to match.
        if (!parent.HasSpanId && request.HttpContext.Features.Get<IHttpActivityFeature>()?.Activity is { HasRemoteParent: true } hosting
            && hosting.TraceId == remote.TraceId)
        {
            remote = new ActivityContext(hosting.TraceId, hosting.ParentSpanId, remote.TraceFlags, hosting.TraceStateString, isRemote: true);
        }

        return new PropagationContext(remote, BaggageOf(headers));
    }

    private static ActivityContext Remote(IncomingParent parent, string? traceState) => new(
        HexId.ToActivityTraceId(parent.TraceId),
        parent.HasSpanId ? HexId.ToActivitySpanId(parent.SpanId) : ActivitySpanId.CreateRandom(),
        parent.Sampled == true ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None,
        traceState,
        isRemote: true);

    /// <summary>The incoming baggage as OpenTelemetry's <see cref="OtelBaggage"/>, for code that reads <c>Baggage.Current</c>.</summary>
    private static OtelBaggage BaggageOf<THeaders>(THeaders headers)
        where THeaders : ITraceHeaders
    {
        var raw = headers.Get(Baggage.HeaderName);
        if (raw.Count == 0)
        {
            return default;
        }

        var members = Baggage.Parse(raw);
        var items = new Dictionary<string, string>(members.Count, StringComparer.Ordinal);
        foreach (var member in members)
        {
            items[member.Key] = member.Value;
        }

        return OtelBaggage.Create(items);
    }

    private static void Set<T>(T carrier, Action<T, string, string> setter, string name, string? value)
    {
        if (value is not null)
        {
            setter(carrier, name, value);
        }
    }

    /// <summary>Headers reached through OpenTelemetry's getter.</summary>
    private readonly struct EnumerableTraceHeaders<T>(T carrier, Func<T, string, IEnumerable<string>?> getter) : ITraceHeaders
    {
        public StringValues Get(string name) => getter(carrier, name) is { } values ? new StringValues([.. values]) : StringValues.Empty;
    }
}
