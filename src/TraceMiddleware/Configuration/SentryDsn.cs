namespace TraceMiddleware.Configuration;

/// <summary>
/// A parsed Sentry DSN, <c>{scheme}://{public_key}@{host}[:port]/{path/}{project_id}</c>, and the
/// envelope endpoint it names.
/// </summary>
internal sealed class SentryDsn
{
    private SentryDsn(string original, string publicKey, string projectId, Uri envelopeEndpoint, string? orgId)
    {
        Original = original;
        PublicKey = publicKey;
        ProjectId = projectId;
        EnvelopeEndpoint = envelopeEndpoint;
        OrgId = orgId;
    }

    /// <summary>The DSN as it was given.</summary>
    public string Original { get; }

    /// <summary>The public key (the DSN's user name), sent in <c>X-Sentry-Auth</c> and in baggage.</summary>
    public string PublicKey { get; }

    /// <summary>The project id, the last path segment.</summary>
    public string ProjectId { get; }

    /// <summary>Where envelopes are posted: <c>{scheme}://{host}[:port]/{path/}api/{project_id}/envelope/</c>.</summary>
    public Uri EnvelopeEndpoint { get; }

    /// <summary>The organization id from a host of the form <c>o{digits}.…</c>, or <see langword="null"/>.</summary>
    public string? OrgId { get; }

    /// <summary>Parses a DSN; on failure <paramref name="error"/> says what is wrong with it.</summary>
    /// <param name="dsn">The DSN text.</param>
    /// <param name="result">The parsed DSN when the method returns <see langword="true"/>.</param>
    /// <param name="error">Why the DSN does not parse, when the method returns <see langword="false"/>.</param>
    /// <returns>Whether <paramref name="dsn"/> is a valid DSN.</returns>
    public static bool TryParse(string? dsn, out SentryDsn? result, out string? error)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(dsn))
        {
            error = "the DSN is empty.";
            return false;
        }

        // On Unix, Uri takes "/42" for an absolute file path: only text with a scheme is a URL here.
        if (!dsn.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(dsn.Trim(), UriKind.Absolute, out var uri))
        {
            error = "the DSN is not an absolute URL; expected https://PUBLIC_KEY@HOST/PROJECT_ID.";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            error = $"the DSN scheme '{uri.Scheme}' is not http or https.";
            return false;
        }

        var userInfo = uri.UserInfo;
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var publicKey = Uri.UnescapeDataString(colon >= 0 ? userInfo[..colon] : userInfo);
        if (publicKey.Length == 0)
        {
            error = "the DSN has no public key; expected https://PUBLIC_KEY@HOST/PROJECT_ID.";
            return false;
        }

        var path = uri.AbsolutePath.TrimEnd('/');
        var slash = path.LastIndexOf('/');
        var projectId = path[(slash + 1)..];
        if (projectId.Length == 0 || !IsDigits(projectId))
        {
            error = "the DSN has no numeric project id as its last path segment; expected https://PUBLIC_KEY@HOST/PROJECT_ID.";
            return false;
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            error = "the DSN must not have a query or fragment.";
            return false;
        }

        var prefix = path[..(slash + 1)];
        var port = uri.IsDefaultPort ? string.Empty : ":" + uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var endpoint = new Uri($"{uri.Scheme}://{uri.Host}{port}{prefix}api/{projectId}/envelope/");
        result = new SentryDsn(dsn, publicKey, projectId, endpoint, OrgIdFromHost(uri.Host));
        error = null;
        return true;
    }

    /// <summary>Parses a DSN, throwing <see cref="FormatException"/> with the reason when it is invalid.</summary>
    /// <param name="dsn">The DSN text.</param>
    /// <returns>The parsed DSN.</returns>
    public static SentryDsn Parse(string dsn)
    {
        return TryParse(dsn, out var result, out var error) ? result! : throw new FormatException($"Invalid Sentry DSN: {error}");
    }

    /// <inheritdoc />
    public override string ToString() => Original;

    private static string? OrgIdFromHost(string host)
    {
        if (host.Length < 3 || host[0] != 'o')
        {
            return null;
        }

        var dot = host.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 1)
        {
            return null;
        }

        var digits = host[1..dot];
        return IsDigits(digits) ? digits : null;
    }

    private static bool IsDigits(string s)
    {
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return s.Length > 0;
    }
}
