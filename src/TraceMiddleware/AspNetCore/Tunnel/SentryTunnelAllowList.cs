using System.Diagnostics.CodeAnalysis;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export.Sentry;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// The DSNs a tunnel forwards to. An envelope's DSN is allowed when its scheme, host, port, path prefix
/// and project id equal an allowed DSN's (its public key may differ: a project can have several keys).
/// The envelope is then posted to the <em>allowed</em> DSN's endpoint, so the URL fetched is always one
/// the configuration wrote, never text from the request.
/// </summary>
internal sealed class SentryTunnelAllowList
{
    private readonly SentryDsn[] _allowed;

    public SentryTunnelAllowList(IEnumerable<SentryDsn> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        _allowed = [.. allowed];
    }

    public int Count => _allowed.Length;

    /// <summary>Finds the allowed DSN that <paramref name="dsnText"/> (from an envelope header) names.</summary>
    /// <param name="dsnText">The DSN the envelope names.</param>
    /// <param name="allowed">The configured DSN to post to, when the method returns <see langword="true"/>.</param>
    /// <param name="reason">A short reason, when it returns <see langword="false"/>.</param>
    /// <returns>Whether the envelope may be forwarded.</returns>
    public bool TryMatch(string? dsnText, [NotNullWhen(true)] out SentryDsn? allowed, [NotNullWhen(false)] out string? reason)
    {
        allowed = null;
        if (!SentryDsn.TryParse(dsnText, out var candidate, out _))
        {
            reason = "the envelope header's dsn is not a valid DSN";
            return false;
        }

        for (var i = 0; i < _allowed.Length; i++)
        {
            if (SameProject(_allowed[i], candidate!))
            {
                allowed = _allowed[i];
                reason = null;
                return true;
            }
        }

        reason = _allowed.Length == 0
            ? "this tunnel forwards to no DSN"
            : "the envelope's DSN is not allowed by this tunnel";
        return false;
    }

    /// <summary>Same scheme, host, port, path prefix and project id: the same envelope endpoint.</summary>
    internal static bool SameProject(SentryDsn a, SentryDsn b)
    {
        var x = a.EnvelopeEndpoint;
        var y = b.EnvelopeEndpoint;
        return string.Equals(x.Scheme, y.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(x.IdnHost, y.IdnHost, StringComparison.OrdinalIgnoreCase)
            && x.Port == y.Port
            && string.Equals(x.AbsolutePath, y.AbsolutePath, StringComparison.Ordinal);
    }
}
