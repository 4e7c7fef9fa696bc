using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using TraceMiddleware.Propagation;

namespace TraceMiddleware.Benchmarks;

/// <summary>
/// The propagation target list deciding for one outgoing URL: ten entries, substrings and regular expressions
/// mixed (as configuration and code write them). Goal: under 100 ns per URL, 0 B.
/// </summary>
/// <remarks>
/// The <see cref="Uri"/> objects are built once: <see cref="Uri.Host"/> and <see cref="Uri.AbsolutePath"/> are
/// computed on first read and cached by the Uri, and HttpClient reads them for every request anyway.
/// </remarks>
[MemoryDiagnoser]
public class TargetMatcherBenchmarks
{
    private TracePropagationTargetList _targets = null!;
    private Uri _first = null!;
    private Uri _last = null!;
    private Uri _none = null!;
    private Uri _queryLeak = null!;

    [GlobalSetup]
    public void Setup()
    {
        _targets = new TracePropagationTargetList(
        [
            "orders.internal",
            "^https://api\\.example\\.com(/|:|$)",
            "payments.svc.cluster.local",
            "^https?://[a-z0-9-]+\\.shop\\.example\\.net(/|:|$)",
            "inventory:8080",
            new Regex("^http://10\\.0\\.[0-9]+\\.[0-9]+(:[0-9]+)?/"),
            "search.internal",
            "^https://auth\\.example\\.com/oauth/",
            "localhost",
            "^https://cdn\\.example\\.org/api/",
        ]);

        _first = new Uri("http://orders.internal/api/orders/42");
        _last = new Uri("https://cdn.example.org/api/v2/assets/1234");
        _none = new Uri("https://www.thirdparty.com/v1/collect/events");
        _queryLeak = new Uri("https://evil.example/?next=https://api.example.com/&localhost");
        foreach (var uri in new[] { _first, _last, _none, _queryLeak })
        {
            _ = uri.Host;
            _ = uri.AbsolutePath;
        }

        if (!_targets.IsMatch(_first) || !_targets.IsMatch(_last) || _targets.IsMatch(_none) || _targets.IsMatch(_queryLeak))
        {
            throw new InvalidOperationException("The target list does not decide as the benchmark assumes.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool MatchesFirstEntry() => _targets.IsMatch(_first);

    [Benchmark]
    public bool MatchesLastEntry() => _targets.IsMatch(_last);

    [Benchmark]
    public bool MatchesNone() => _targets.IsMatch(_none);

    [Benchmark]
    public bool MatchesNoneThroughQuery() => _targets.IsMatch(_queryLeak);
}
