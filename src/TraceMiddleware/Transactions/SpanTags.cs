namespace TraceMiddleware.Transactions;

/// <summary>
/// The tag names this package writes on its activities. Sentry-only fields use the <c>sentry.</c>
/// prefix; span data uses OpenTelemetry's semantic-convention names, which Sentry shows as they are.
/// </summary>
public static class SpanTags
{
    /// <summary>Sentry's span operation, such as <c>http.server</c> or <c>db.query</c>.</summary>
    public const string Op = "sentry.op";

    /// <summary>What created the span, such as <c>auto.http.aspnetcore</c> or <c>manual</c>.</summary>
    public const string Origin = "sentry.origin";

    /// <summary>Sentry's span status, such as <c>ok</c> or <c>not_found</c>.</summary>
    public const string Status = "sentry.status";

    /// <summary>How the transaction name was made: <c>route</c>, <c>url</c> or <c>custom</c>.</summary>
    public const string Source = "sentry.source";

    /// <summary>The request method.</summary>
    public const string HttpRequestMethod = "http.request.method";

    /// <summary>The response status code.</summary>
    public const string HttpResponseStatusCode = "http.response.status_code";

    /// <summary>The route template that matched the request.</summary>
    public const string HttpRoute = "http.route";

    /// <summary>The path of the request URL.</summary>
    public const string UrlPath = "url.path";

    /// <summary>The URL of an outgoing request, without userinfo, query and fragment.</summary>
    public const string UrlFull = "url.full";

    /// <summary>The host an outgoing request went to.</summary>
    public const string ServerAddress = "server.address";
}
