namespace TraceMiddleware.Tracing;

/// <summary>The span operations and origins this package itself writes.</summary>
internal static class SpanOps
{
    public const string HttpServer = "http.server";
    public const string HttpClient = "http.client";
    public const string DefaultManual = "task";

    public const string OriginAspNetCore = "auto.http.aspnetcore";
    public const string OriginHttpClient = "auto.http.httpclient";
    public const string OriginManual = "manual";
}
