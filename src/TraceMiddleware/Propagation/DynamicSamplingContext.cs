using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace TraceMiddleware.Propagation;

/// <summary>
/// Sentry's Dynamic Sampling Context: the <c>sentry-</c> members of <c>baggage</c>, with the prefix
/// stripped from the keys and their order kept.
/// </summary>
/// <remarks>
/// A continued trace freezes the DSC it received and passes it on unchanged (<see cref="FromBaggage"/>);
/// the head of a trace builds one from this service (<see cref="CreateHead"/>). Immutable.
/// </remarks>
public sealed class DynamicSamplingContext
{
    private const string SampleRandKey = "sample_rand";

    // A frozen DSC read from a request is built from the raw header only when someone reads its entries
    // (an outgoing call, the exporter): most requests never do, and the members are most of a request's garbage.
    private readonly StringValues _rawBaggage;
    private readonly string? _filledSampleRand;
    private readonly bool _isEmpty;
    private KeyValuePair<string, string>[]? _entries;
    private ReadOnlyCollection<KeyValuePair<string, string>>? _entriesView;
    private Baggage? _baggage;

    private DynamicSamplingContext(KeyValuePair<string, string>[] entries)
    {
        _entries = entries;
        _isEmpty = entries.Length == 0;
    }

    private DynamicSamplingContext(StringValues rawBaggage, string? filledSampleRand)
    {
        _rawBaggage = rawBaggage;
        _filledSampleRand = filledSampleRand;
    }

    /// <summary>A DSC with no entries: a continued trace that arrived without <c>sentry-</c> baggage sends none on.</summary>
    internal static DynamicSamplingContext Empty { get; } = new([]);

    /// <summary>The entries in order, keys without the <c>sentry-</c> prefix (for example <c>trace_id</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Entries => _entriesView ??= new ReadOnlyCollection<KeyValuePair<string, string>>(EntryArray);

    /// <summary>Whether there are no entries.</summary>
    public bool IsEmpty => _isEmpty;

    private KeyValuePair<string, string>[] EntryArray => _entries ?? Materialize();

    /// <summary>The value for a key without the prefix (ordinal), or null.</summary>
    /// <param name="key">For example <c>trace_id</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public string? this[string key]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(key);
            var entries = EntryArray;
            for (var i = 0; i < entries.Length; i++)
            {
                if (string.Equals(entries[i].Key, key, StringComparison.Ordinal))
                {
                    return entries[i].Value;
                }
            }

            return null;
        }
    }

    /// <summary><c>trace_id</c>: the trace the DSC was created for.</summary>
    internal string? TraceId => this["trace_id"];

    /// <summary><c>public_key</c>: the DSN public key of the head service.</summary>
    internal string? PublicKey => this["public_key"];

    /// <summary><c>release</c> of the head service.</summary>
    internal string? Release => this["release"];

    /// <summary><c>environment</c> of the head service.</summary>
    internal string? Environment => this["environment"];

    /// <summary><c>transaction</c>: the head's root span name.</summary>
    internal string? Transaction => this["transaction"];

    /// <summary><c>sample_rate</c> the head applied, as text.</summary>
    internal string? SampleRate => this["sample_rate"];

    /// <summary><c>sampled</c>: <c>true</c> or <c>false</c>.</summary>
    internal string? Sampled => this["sampled"];

    /// <summary><c>sample_rand</c>: the trace's random number in [0, 1), as text.</summary>
    internal string? SampleRand => this["sample_rand"];

    /// <summary><c>org_id</c> of the head's Sentry organisation.</summary>
    internal string? OrgId => this["org_id"];

    /// <summary><c>replay_id</c> of a browser session replay.</summary>
    internal string? ReplayId => this["replay_id"];

    /// <summary>
    /// The frozen DSC of a continued trace: every <c>sentry-</c> member (including keys this library does not
    /// know), prefix stripped, values unchanged, in order. Empty when there is none.
    /// </summary>
    /// <param name="baggage">The incoming baggage.</param>
    /// <exception cref="ArgumentNullException"><paramref name="baggage"/> is null.</exception>
    internal static DynamicSamplingContext FromBaggage(Baggage baggage)
    {
        ArgumentNullException.ThrowIfNull(baggage);
        var entries = SentryEntries(baggage, null);
        return entries.Length == 0 ? Empty : new DynamicSamplingContext(entries);
    }

    /// <summary>
    /// The frozen DSC of incoming <c>baggage</c> values, the same as <see cref="FromBaggage"/> of
    /// <see cref="Baggage.Parse(StringValues)"/> (with <paramref name="filledSampleRand"/> as by
    /// <see cref="WithSampleRand"/>), read from the raw values only when its entries are first asked for.
    /// </summary>
    /// <param name="rawBaggage">The incoming values.</param>
    /// <param name="summary">Their summary; says whether there is any Sentry member.</param>
    /// <param name="filledSampleRand">
    /// The <c>sample_rand</c> this service decided with; only when the values have no valid one. It is appended,
    /// or takes the place of one that is not a number in [0, 1).
    /// </param>
    internal static DynamicSamplingContext FromRawBaggage(StringValues rawBaggage, in SentryBaggageSummary summary, string? filledSampleRand)
    {
        if (!summary.HasSentryMembers)
        {
            return Empty;
        }

        Debug.Assert(filledSampleRand is null || summary.SampleRand is null, "A DSC with a valid sample_rand keeps it.");
        return new DynamicSamplingContext(rawBaggage, string.IsNullOrEmpty(filledSampleRand) ? null : filledSampleRand);
    }

    /// <summary>
    /// The DSC of a trace that starts here, in the order Sentry's JS SDKs write it: <c>environment, release,
    /// public_key, trace_id, org_id, transaction, sampled, sample_rand, sample_rate</c>. Null or empty
    /// values are left out.
    /// </summary>
    /// <param name="traceId">The new trace's id.</param>
    /// <param name="publicKey">The DSN public key.</param>
    /// <param name="release">The release.</param>
    /// <param name="environment">The environment; <c>production</c> when null or empty, as in JS.</param>
    /// <param name="orgId">The organisation id (option, or from the DSN host).</param>
    /// <param name="transaction">The root span name; pass null when it is a raw URL.</param>
    /// <param name="sampled">The sampling decision; null when deferred.</param>
    /// <param name="sampleRand">The trace's <c>sample_rand</c> as it is sent.</param>
    /// <param name="sampleRate">The rate applied locally, if any; written like JS's <c>String(number)</c>.</param>
    internal static DynamicSamplingContext CreateHead(
        ActivityTraceId traceId,
        string? publicKey,
        string? release,
        string? environment,
        string? orgId,
        string? transaction,
        bool? sampled,
        string? sampleRand,
        double? sampleRate)
    {
        // JS builds the client part as {environment, release, public_key, trace_id, org_id} and then sets
        // transaction, sampled and sample_rand; sample_rate comes last in real @sentry/node 10.x output.
        var entries = new List<KeyValuePair<string, string>>(9);
        Add(entries, "environment", string.IsNullOrEmpty(environment) ? "production" : environment);
        Add(entries, "release", release);
        Add(entries, "public_key", publicKey);
        Add(entries, "trace_id", traceId.ToHexString());
        Add(entries, "org_id", orgId);
        Add(entries, "transaction", transaction);
        Add(entries, "sampled", sampled switch { true => "true", false => "false", null => null });
        Add(entries, "sample_rand", sampleRand);
        if (sampleRate is double rate && double.IsFinite(rate))
        {
            Add(entries, "sample_rate", FormatJsNumber(rate));
        }

        return new DynamicSamplingContext(entries.ToArray());

        static void Add(List<KeyValuePair<string, string>> list, string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                list.Add(new(key, value));
            }
        }
    }

    /// <summary>
    /// A copy with <c>sample_rand</c> filled in, the one field a continued trace may fill in: appended when
    /// absent, in place of one that is not a number in [0, 1) (<c>NaN</c>, <c>1</c>, <c>0x1</c>); this DSC
    /// itself when it already has a valid one or is empty (an empty frozen DSC stays empty, as in JS, so no
    /// baggage is sent).
    /// </summary>
    /// <param name="sampleRand">The trace's <c>sample_rand</c> as it is sent.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sampleRand"/> is null.</exception>
    internal DynamicSamplingContext WithSampleRand(string sampleRand)
    {
        ArgumentNullException.ThrowIfNull(sampleRand);
        var current = SampleRand;
        if (IsEmpty || sampleRand.Length == 0 || (current is not null && Sampling.SampleRand.TryParse(current, out _)))
        {
            return this;
        }

        var entries = EntryArray;
        var filled = new KeyValuePair<string, string>[entries.Length + (current is null ? 1 : 0)];
        for (var i = 0; i < entries.Length; i++)
        {
            filled[i] = string.Equals(entries[i].Key, SampleRandKey, StringComparison.Ordinal) ? new(SampleRandKey, sampleRand) : entries[i];
        }

        if (current is null)
        {
            filled[^1] = new(SampleRandKey, sampleRand);
        }

        return new DynamicSamplingContext(filled);
    }

    /// <summary>The DSC as baggage members, each key prefixed with <c>sentry-</c>, in order.</summary>
    internal Baggage ToBaggage()
    {
        return _baggage ??= Build(EntryArray);

        static Baggage Build(KeyValuePair<string, string>[] entries)
        {
            if (entries.Length == 0)
            {
                return Baggage.Empty;
            }

            var members = new BaggageMember[entries.Length];
            for (var i = 0; i < entries.Length; i++)
            {
                members[i] = new BaggageMember(SentryBaggageKeys.Prefix + entries[i].Key, entries[i].Value);
            }

            return new Baggage(members);
        }
    }

    // With filledSampleRand, a sample_rand member (keys are unique in parsed baggage, so at most one) takes
    // that value in its place; without one, it is appended.
    private static KeyValuePair<string, string>[] SentryEntries(Baggage baggage, string? filledSampleRand)
    {
        var count = 0;
        var hasSampleRand = false;
        for (var i = 0; i < baggage.Count; i++)
        {
            if (baggage[i].IsSentry)
            {
                count++;
                hasSampleRand |= baggage[i].Key == SentryBaggageKeys.Prefix + SampleRandKey;
            }
        }

        if (count == 0)
        {
            return [];
        }

        var append = filledSampleRand is not null && !hasSampleRand;
        var entries = new KeyValuePair<string, string>[count + (append ? 1 : 0)];
        var at = 0;
        for (var i = 0; i < baggage.Count; i++)
        {
            var member = baggage[i];
            if (member.IsSentry)
            {
                var value = filledSampleRand is not null && member.Key == SentryBaggageKeys.Prefix + SampleRandKey ? filledSampleRand : member.Value;
                entries[at++] = new(SentryBaggageKeys.WithoutPrefix(member.Key), value);
            }
        }

        if (append)
        {
            entries[at] = new(SampleRandKey, filledSampleRand!);
        }

        return entries;
    }

    // Racing readers each build the same entries; the first one stored is kept.
    private KeyValuePair<string, string>[] Materialize()
    {
        var entries = SentryEntries(Baggage.Parse(_rawBaggage), _filledSampleRand);
        return Interlocked.CompareExchange(ref _entries, entries, null) ?? entries;
    }

    /// <summary>The DSC as a <c>baggage</c> header value.</summary>
    public override string ToString() => ToBaggage().ToString();

    // JS writes `${number}` (Number::toString): the shortest round-trip digits, like .NET's "R", but
    // "1e-7" where .NET writes "1E-07", and plain decimals down to 1e-6 where .NET switches to exponents.
    internal static string FormatJsNumber(double value)
    {
        if (value == 0)
        {
            return "0";
        }

        var shortest = value.ToString("R", CultureInfo.InvariantCulture);

        var negative = shortest.StartsWith('-');
        var s = negative ? shortest[1..] : shortest;
        var exponentIndex = s.IndexOfAny(['E', 'e']);
        var mantissa = exponentIndex < 0 ? s : s[..exponentIndex];
        var exponent = exponentIndex < 0 ? 0 : int.Parse(s[(exponentIndex + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        // Normalise to digits d1..dk and n with value = 0.d1..dk * 10^n, as ECMAScript's Number::toString does.
        var dot = mantissa.IndexOf('.');
        var intPart = dot < 0 ? mantissa : mantissa[..dot];
        var fracPart = dot < 0 ? string.Empty : mantissa[(dot + 1)..];
        var allDigits = intPart + fracPart;
        var digits = allDigits.TrimStart('0');
        var n = intPart.Length - (allDigits.Length - digits.Length) + exponent;
        digits = digits.TrimEnd('0');
        var k = digits.Length;

        string result;
        if (k <= n && n <= 21)
        {
            result = digits + new string('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            result = digits[..n] + "." + digits[n..];
        }
        else if (-6 < n && n <= 0)
        {
            result = "0." + new string('0', -n) + digits;
        }
        else
        {
            var e = n - 1;
            result = digits[..1] + (k > 1 ? "." + digits[1..] : string.Empty) + "e" + (e >= 0 ? "+" : "-") + Math.Abs(e).ToString(CultureInfo.InvariantCulture);
        }

        return negative ? "-" + result : result;
    }
}
