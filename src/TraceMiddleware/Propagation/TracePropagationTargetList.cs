using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace TraceMiddleware.Propagation;

/// <summary>
/// The immutable list of <see cref="TracePropagationTarget"/>s that decides, for every outgoing request, whether
/// any trace header (<c>sentry-trace</c>, <c>baggage</c>, <c>traceparent</c>, <c>tracestate</c>) is sent.
/// </summary>
/// <remarks>
/// A URL matches when any target matches it; an empty list matches nothing. The URL text is built once per
/// request and every target is tested against it without allocating (regular expressions included).
/// </remarks>
internal sealed class TracePropagationTargetList : IReadOnlyList<TracePropagationTarget>
{
    private readonly TracePropagationTarget[] _targets;

    /// <summary>Creates a list from targets, kept in the given order.</summary>
    /// <param name="targets">The targets; an empty sequence makes a list that matches nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="targets"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="targets"/> contains <see langword="null"/>.</exception>
    public TracePropagationTargetList(IEnumerable<TracePropagationTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        _targets = [.. targets];
        for (var i = 0; i < _targets.Length; i++)
        {
            if (_targets[i] is null)
            {
                throw new ArgumentException($"The trace propagation target at index {i} is null.", nameof(targets));
            }
        }
    }

    /// <summary>
    /// The default list: loopback hosts only. The host must be exactly <c>localhost</c>, <c>127.0.0.1</c> or
    /// <c>[::1]</c> (case-insensitive), with any scheme and port; <c>http://localhost.evil.com/</c> and
    /// <c>http://evil.com/?localhost</c> do not match.
    /// </summary>
    public static TracePropagationTargetList Default { get; } = new(
    [
        TracePropagationTarget.LoopbackHost("localhost"),
        TracePropagationTarget.LoopbackHost("127.0.0.1"),
        TracePropagationTarget.LoopbackHost("[::1]"),
    ]);

    /// <summary>The number of targets.</summary>
    public int Count => _targets.Length;

    /// <summary>The target at <paramref name="index"/>.</summary>
    /// <param name="index">A zero-based index below <see cref="Count"/>.</param>
    public TracePropagationTarget this[int index] => _targets[index];

    /// <summary>Tests an outgoing request URI against every target.</summary>
    /// <param name="uri">The request URI; a relative one never matches.</param>
    /// <returns><see langword="true"/> when the trace headers may be sent to <paramref name="uri"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="uri"/> is <see langword="null"/>.</exception>
    public bool IsMatch(Uri uri) => TryMatch(uri, out _);

    /// <summary>Tests an outgoing request URI and says which target allowed it, for diagnostics.</summary>
    /// <param name="uri">The request URI; a relative one never matches.</param>
    /// <param name="matched">The first target that matches, in list order.</param>
    /// <returns><see langword="true"/> when the trace headers may be sent to <paramref name="uri"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="uri"/> is <see langword="null"/>.</exception>
    public bool TryMatch(Uri uri, [NotNullWhen(true)] out TracePropagationTarget? matched)
    {
        ArgumentNullException.ThrowIfNull(uri);
        matched = null;
        var targets = _targets;
        if (targets.Length == 0)
        {
            return false;
        }

        var index = TargetUrl.Evaluate(uri, targets, static (urlText, list) =>
        {
            // Lower-cased once for every substring target, not once per target.
            // Sized to the text: a stackalloc is zeroed, and a fixed 256 chars would be zeroed for every URL.
            Span<char> lower = urlText.Length <= AsciiSubstring.StackLength ? stackalloc char[urlText.Length] : default;
            var lowered = !lower.IsEmpty && AsciiSubstring.TryLower(urlText, lower, out _);
            for (var i = 0; i < list.Length; i++)
            {
                if (list[i].IsMatch(urlText, lower, lowered))
                {
                    return i;
                }
            }

            return -1;
        });
        matched = index >= 0 ? targets[index] : null;
        return matched is not null;
    }

    /// <summary>
    /// Words for diagnostics: every target's <see cref="TracePropagationTarget.Description"/>, comma-separated,
    /// such as <c>localhost (any port), matches ^https://api\.example\.com</c>.
    /// </summary>
    /// <returns>The description; <c>nothing (empty list)</c> for an empty list.</returns>
    public string Describe()
    {
        if (_targets.Length == 0)
        {
            return "nothing (empty list)";
        }

        var builder = new StringBuilder();
        for (var i = 0; i < _targets.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(_targets[i].Description);
        }

        return builder.ToString();
    }

    /// <summary>The same as <see cref="Describe"/>.</summary>
    /// <returns>Words for diagnostics.</returns>
    public override string ToString() => Describe();

    /// <summary>Enumerates the targets in list order.</summary>
    /// <returns>An enumerator over the targets.</returns>
    public IEnumerator<TracePropagationTarget> GetEnumerator() => ((IEnumerable<TracePropagationTarget>)_targets).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
