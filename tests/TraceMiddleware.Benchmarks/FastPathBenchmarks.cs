using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using TraceMiddleware.Propagation;
using TraceMiddleware.Sampling;

namespace TraceMiddleware.Benchmarks;

/// <summary>
/// Each hand-written fast path kept in Propagation/ and Sampling/ beside the plain BCL way of doing the same, on
/// what one request brings (the <see cref="PipelineBenchmarks"/> headers, the <see cref="TargetMatcherBenchmarks"/>
/// targets) and as often as one request does it. Each category's baseline is the BCL way: the Ratio column says
/// what share of its time the fast path takes. A fast path stays only while it saves a request at least 50 ns.
/// </summary>
/// <remarks>
/// Per request with <c>sentry-trace</c> and a 10-member <c>baggage</c>: sentry-trace is parsed twice (the host's
/// propagator, then the middleware), <c>sample_rand</c> twice and <c>sample_rate</c> once, and each baggage walk
/// validates the escaped values. Per outgoing request: the target list is evaluated once.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class FastPathBenchmarks
{
    private const string TraceHex = "771a43a4192642f0b136d5159a501700";
    private const string SpanHex = "b7ad6b7169203331";
    private const string SampleRand = "0.3276234201731898";
    private const string SampleRate = "1";

    // The escaped values of the benchmarks' 10-member baggage.
    private static readonly string[] s_escaped = ["shop%401.4.0", "GET%20%2Fcheckout", "DF%2028"];

    private readonly char[] _buffer = new char[256];
    private string _urlText = null!;
    private string _matchingUrlText = null!;
    private string[] _substrings = null!;
    private AsciiSubstring[] _asciiSubstrings = null!;
    private TracePropagationTarget[] _regexTargets = null!;
    private Regex[] _regexes = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The 10-entry list of TargetMatcherBenchmarks split by kind, and the URL text of its "none" and "last" URLs.
        _urlText = "https://www.thirdparty.com/v1/collect/events";
        _matchingUrlText = "https://cdn.example.org/api/v2/assets/1234";
        _substrings = ["orders.internal", "payments.svc.cluster.local", "inventory:8080", "search.internal", "localhost"];
        _asciiSubstrings = [.. _substrings.Select(s => AsciiSubstring.TryCreate(s)!)];
        _regexTargets =
        [
            new("^https://api\\.example\\.com(/|:|$)"),
            new("^https?://[a-z0-9-]+\\.shop\\.example\\.net(/|:|$)"),
            new(new Regex("^http://10\\.0\\.[0-9]+\\.[0-9]+(:[0-9]+)?/")),
            new("^https://auth\\.example\\.com/oauth/"),
            new("^https://cdn\\.example\\.org/api/"),
        ];
        _regexes = [.. _regexTargets.Select(t => t.Regex!)];
        if (TraceIds_Fast() != TraceIds_Bcl() || Decimals_Fast() != Decimals_Bcl() || Decode_Fast() != Decode_Bcl()
            || Substrings_Fast() != Substrings_Bcl() || Regexes_Fast() != Regexes_Bcl() || RegexesLastMatches_Fast() != RegexesLastMatches_Bcl())
        {
            throw new InvalidOperationException("A fast path and its BCL variant disagree on the benchmark's input.");
        }
    }

    // ---- sentry-trace's two ids, twice per request ----

    [Benchmark, BenchmarkCategory("hex ids")]
    public ulong TraceIds_Fast()
    {
        HexId.TryParseTraceId(TraceHex, out var traceId);
        HexId.TryParseSpanId(SpanHex, out var spanId);
        HexId.TryParseTraceId(TraceHex, out var traceId2);
        HexId.TryParseSpanId(SpanHex, out var spanId2);
        return (ulong)traceId ^ spanId ^ (ulong)traceId2 ^ spanId2;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("hex ids")]
    public ulong TraceIds_Bcl()
    {
        BclCandidates.TryParseTraceId(TraceHex, out var traceId);
        BclCandidates.TryParseSpanId(SpanHex, out var spanId);
        BclCandidates.TryParseTraceId(TraceHex, out var traceId2);
        BclCandidates.TryParseSpanId(SpanHex, out var spanId2);
        return (ulong)traceId ^ spanId ^ (ulong)traceId2 ^ spanId2;
    }

    // ---- sample_rand twice, sample_rate once ----

    [Benchmark, BenchmarkCategory("decimals")]
    public double Decimals_Fast()
    {
        PlainDecimal.TryParse(SampleRand, out var rand);
        PlainDecimal.TryParse(SampleRand, out var rand2);
        PlainDecimal.TryParse(SampleRate, out var rate);
        return rand + rand2 + rate;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("decimals")]
    public double Decimals_Bcl()
    {
        BclCandidates.TryParseDecimal(SampleRand, out var rand);
        BclCandidates.TryParseDecimal(SampleRand, out var rand2);
        BclCandidates.TryParseDecimal(SampleRate, out var rate);
        return rand + rand2 + rate;
    }

    // ---- the baggage's escaped values: validated by every walk, decoded for an outgoing call ----

    [Benchmark, BenchmarkCategory("percent decode")]
    public int Decode_Fast()
    {
        var total = 0;
        foreach (var s in s_escaped)
        {
            PercentEncoding.TryGetDecodedLength(s, out var length);
            PercentEncoding.TryDecode(s, _buffer, out var written);
            total += length + written;
        }

        return total;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("percent decode")]
    public int Decode_Bcl()
    {
        var total = 0;
        foreach (var s in s_escaped)
        {
            BclCandidates.TryGetDecodedLength(s, out var length);
            BclCandidates.TryDecode(s, _buffer, out var written);
            total += length + written;
        }

        return total;
    }

    // ---- one outgoing URL against the list's five substrings and five regular expressions ----

    [Benchmark, BenchmarkCategory("substring targets")]
    public int Substrings_Fast()
    {
        Span<char> lower = stackalloc char[_urlText.Length];
        AsciiSubstring.TryLower(_urlText, lower, out _);
        var hits = 0;
        foreach (var substring in _asciiSubstrings)
        {
            hits += substring.IsContainedInLowered(lower) ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("substring targets")]
    public int Substrings_Bcl()
    {
        var hits = 0;
        foreach (var substring in _substrings)
        {
            hits += _urlText.AsSpan().Contains(substring, StringComparison.OrdinalIgnoreCase) ? 1 : 0;
        }

        return hits;
    }

    [Benchmark, BenchmarkCategory("regex targets")]
    public int Regexes_Fast() => CountMatches(_regexTargets, _urlText);

    [Benchmark(Baseline = true), BenchmarkCategory("regex targets")]
    public int Regexes_Bcl() => CountMatches(_regexes, _urlText);

    [Benchmark, BenchmarkCategory("regex targets, last matches")]
    public int RegexesLastMatches_Fast() => CountMatches(_regexTargets, _matchingUrlText);

    [Benchmark(Baseline = true), BenchmarkCategory("regex targets, last matches")]
    public int RegexesLastMatches_Bcl() => CountMatches(_regexes, _matchingUrlText);

    private static int CountMatches(TracePropagationTarget[] targets, string urlText)
    {
        var hits = 0;
        foreach (var target in targets)
        {
            hits += target.IsMatch(urlText.AsSpan()) ? 1 : 0;
        }

        return hits;
    }

    private static int CountMatches(Regex[] regexes, string urlText)
    {
        var hits = 0;
        foreach (var regex in regexes)
        {
            hits += regex.IsMatch(urlText) ? 1 : 0;
        }

        return hits;
    }
}
