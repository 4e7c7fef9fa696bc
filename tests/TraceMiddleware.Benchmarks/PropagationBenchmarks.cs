using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OpenTelemetry.Context.Propagation;
using TraceMiddleware.Propagation;
using OtelBaggage = OpenTelemetry.Baggage;

namespace TraceMiddleware.Benchmarks;

/// <summary>
/// Parsing and formatting the trace headers, ours beside OpenTelemetry.Api's <see cref="TraceContextPropagator"/>
/// and <see cref="BaggagePropagator"/> on the same values, in one run. Each category's baseline is ours, so the
/// Ratio column of an OpenTelemetry line says how many times longer it takes.
/// </summary>
/// <remarks>
/// OpenTelemetry has no <c>sentry-trace</c> propagator: its <c>traceparent</c> (same ids) is the equivalent work.
/// <see cref="Baggage.Parse(ReadOnlySpan{char})"/> materialises the members as strings, as
/// <see cref="BaggagePropagator"/> does; <see cref="BaggageReader"/> walks the header without allocating and decodes
/// each member into a stack buffer: what the middleware needs to look at a member.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class PropagationBenchmarks
{
    public const string SentryTrace = "771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1";
    public const string TraceParent = "00-771a43a4192642f0b136d5159a501700-b7ad6b7169203331-01";

    /// <summary>Ten members: the eight a JS head writes (PROTOCOL.md §2, real output) and two third-party ones, two of them percent-encoded.</summary>
    public const string BaggageHeader =
        "sentry-environment=dev,sentry-release=shop%401.2.3,sentry-public_key=abc123,sentry-trace_id=771a43a4192642f0b136d5159a501700,"
        + "sentry-transaction=checkout,sentry-sampled=true,sentry-sample_rand=0.3276234201731898,sentry-sample_rate=1,"
        + "userId=alice,serverNode=DF%2028";

    private static readonly Func<Dictionary<string, string[]>, string, IEnumerable<string>?> s_getter =
        static (carrier, name) => carrier.TryGetValue(name, out var values) ? values : null;

    private static readonly Action<Dictionary<string, string>, string, string> s_setter =
        static (carrier, name, value) => carrier[name] = value;

    private readonly TraceContextPropagator _traceContext = new();
    private readonly BaggagePropagator _baggagePropagator = new();
    private readonly char[] _buffer = new char[Baggage.MaxBytes];
    private readonly Dictionary<string, string> _injected = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, string[]> _traceParentCarrier = null!;
    private Dictionary<string, string[]> _baggageCarrier = null!;
    private SentryTraceHeader _sentryTrace;
    private TraceParentHeader _traceParent;
    private Baggage _baggage = null!;
    private PropagationContext _otelTraceContext;
    private PropagationContext _otelBaggageContext;

    [GlobalSetup]
    public void Setup()
    {
        _traceParentCarrier = new(StringComparer.OrdinalIgnoreCase) { ["traceparent"] = [TraceParent] };
        _baggageCarrier = new(StringComparer.OrdinalIgnoreCase) { ["baggage"] = [BaggageHeader] };
        SentryTraceHeader.TryParse(SentryTrace, out _sentryTrace);
        TraceParentHeader.TryParse(TraceParent, out _traceParent);
        _baggage = Baggage.Parse(BaggageHeader);
        _otelTraceContext = _traceContext.Extract(default, _traceParentCarrier, s_getter);
        _otelBaggageContext = _baggagePropagator.Extract(default, _baggageCarrier, s_getter);
        if (_otelTraceContext.ActivityContext.TraceId == default || _otelBaggageContext.Baggage.Count != 10 || _baggage.Count != 10)
        {
            throw new InvalidOperationException("The inputs did not parse: the benchmark would measure a rejection.");
        }
    }

    // ---- sentry-trace ----

    [Benchmark(Baseline = true), BenchmarkCategory("parse sentry-trace")]
    public bool SentryTrace_Parse() => SentryTraceHeader.TryParse(SentryTrace, out _);

    [Benchmark, BenchmarkCategory("parse sentry-trace")]
    public ActivityContext SentryTrace_OtelTraceContextExtract() => _traceContext.Extract(default, _traceParentCarrier, s_getter).ActivityContext;

    [Benchmark(Baseline = true), BenchmarkCategory("format sentry-trace")]
    public int SentryTrace_TryFormat()
    {
        _sentryTrace.TryFormat(_buffer, out var written);
        return written;
    }

    [Benchmark, BenchmarkCategory("format sentry-trace")]
    public string SentryTrace_ToString() => _sentryTrace.ToString();

    [Benchmark, BenchmarkCategory("format sentry-trace")]
    public int SentryTrace_OtelTraceContextInject()
    {
        _traceContext.Inject(_otelTraceContext, _injected, s_setter);
        return _injected.Count;
    }

    // ---- traceparent ----

    [Benchmark(Baseline = true), BenchmarkCategory("parse traceparent")]
    public bool TraceParent_Parse() => TraceParentHeader.TryParse(TraceParent, out _);

    [Benchmark, BenchmarkCategory("parse traceparent")]
    public ActivityContext TraceParent_ParseToActivityContext()
    {
        // What OpenTelemetry hands back: Activity ids, which are strings, so this allocates.
        TraceParentHeader.TryParse(TraceParent, out var header);
        return new ActivityContext(header.TraceId, header.ParentId, header.Flags, isRemote: true);
    }

    [Benchmark, BenchmarkCategory("parse traceparent")]
    public ActivityContext TraceParent_OtelTraceContextExtract() => _traceContext.Extract(default, _traceParentCarrier, s_getter).ActivityContext;

    [Benchmark(Baseline = true), BenchmarkCategory("format traceparent")]
    public int TraceParent_TryFormat()
    {
        _traceParent.TryFormat(_buffer, out var written);
        return written;
    }

    [Benchmark, BenchmarkCategory("format traceparent")]
    public string TraceParent_ToString() => _traceParent.ToString();

    [Benchmark, BenchmarkCategory("format traceparent")]
    public int TraceParent_OtelTraceContextInject()
    {
        _traceContext.Inject(_otelTraceContext, _injected, s_setter);
        return _injected.Count;
    }

    // ---- baggage (10 members) ----

    [Benchmark(Baseline = true), BenchmarkCategory("parse baggage")]
    public int Baggage_ReaderDecodeEach()
    {
        Span<char> decoded = stackalloc char[256];
        var reader = new BaggageReader(BaggageHeader);
        var total = 0;
        while (reader.MoveNext())
        {
            if (reader.TryDecodeKey(decoded, out var keyLength) && reader.TryDecodeValue(decoded, out var valueLength))
            {
                total += keyLength + valueLength;
            }
        }

        return total;
    }

    [Benchmark, BenchmarkCategory("parse baggage")]
    public object Baggage_Parse() => Baggage.Parse(BaggageHeader);

    [Benchmark, BenchmarkCategory("parse baggage")]
    public OtelBaggage Baggage_OtelBaggagePropagatorExtract() => _baggagePropagator.Extract(default, _baggageCarrier, s_getter).Baggage;

    [Benchmark(Baseline = true), BenchmarkCategory("format baggage")]
    public int Baggage_TryFormat()
    {
        _baggage.TryFormat(_buffer, out var written);
        return written;
    }

    [Benchmark, BenchmarkCategory("format baggage")]
    public string Baggage_FormatToString()
    {
        // Baggage.ToString caches its text; this is the first, uncached call's work.
        var length = _baggage.GetFormattedLength();
        return string.Create(length, _baggage, static (span, b) => b.TryFormat(span, out _));
    }

    [Benchmark, BenchmarkCategory("format baggage")]
    public int Baggage_OtelBaggagePropagatorInject()
    {
        _baggagePropagator.Inject(_otelBaggageContext, _injected, s_setter);
        return _injected.Count;
    }
}
