using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.Propagation;
using TraceMiddleware.Sampling;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Configuration;

/// <summary>
/// Settings of <c>AddTracing</c>, bound from configuration (for example the <c>Tracing</c> section of
/// appsettings.json) and from code. Invalid values stop start-up with the key and the reason.
/// </summary>
public sealed class TracingOptions
{
    /// <summary>
    /// The Sentry DSN spans are sent to, <c>{scheme}://{public_key}@{host}[:port]/{path/}{project_id}</c>.
    /// Without one nothing is sent (the Development console tree aside) and propagation still works.
    /// Its public key and organization id also go into the baggage of the traces this service starts.
    /// </summary>
    public string? Dsn { get; set; }

    /// <summary>
    /// The share of new traces to sample, in [0, 1]. With neither this nor <see cref="TracesSampler"/>
    /// set, tracing runs in propagation-only mode: headers flow, no span is sent.
    /// </summary>
    public double? TracesSampleRate { get; set; }

    /// <summary>
    /// Decides the sample rate per root span, in [0, 1]; takes precedence over the incoming decision and
    /// <see cref="TracesSampleRate"/>. Inherit the caller's decision with
    /// <c>ctx =&gt; ctx.ParentSampled is bool p ? (p ? 1 : 0) : 0.1</c>. Code only.
    /// </summary>
    public Func<SamplingContext, double>? TracesSampler { get; set; }

    /// <summary>
    /// The URLs outgoing requests carry trace headers to. A plain string matches a case-insensitive
    /// substring of the URL without userinfo, query and fragment, the path included (so prefer a pattern
    /// anchored at the scheme and host, such as <c>^https?://localhost(:\d+)?(/|$)</c>); a string starting
    /// with <c>^</c> is a regular expression on that text; <c>*</c> matches every URL; code may add <see cref="Regex"/>
    /// objects (they convert implicitly). <see langword="null"/> (the default) means loopback hosts only:
    /// <c>localhost</c>, <c>127.0.0.1</c> and <c>[::1]</c> on any port. An empty list sends no header anywhere.
    /// </summary>
    public IList<TracePropagationTarget>? TracePropagationTargets { get; set; }

    /// <summary>Also send W3C <c>traceparent</c> (and the incoming <c>tracestate</c>) to the targets. Default <see langword="false"/>.</summary>
    public bool PropagateTraceparent { get; set; }

    /// <summary>
    /// Continue an incoming W3C <c>traceparent</c> when there is no <c>sentry-trace</c> header, so that
    /// OpenTelemetry services join the same trace. Default <see langword="true"/>.
    /// </summary>
    public bool ContinueFromTraceparent { get; set; } = true;

    /// <summary>The release of this service (for example <c>shop@1.4.0</c>), sent with spans and in baggage.</summary>
    public string? Release { get; set; }

    /// <summary>
    /// The environment (for example <c>production</c>). Default: the host environment name in lower case
    /// (<c>development</c>, <c>staging</c>, <c>production</c>).
    /// </summary>
    public string? Environment { get; set; }

    /// <summary>
    /// The Sentry organization id. Default: taken from a DSN host of the form <c>o{digits}.ingest…</c>.
    /// An incoming trace from another organization starts a new trace.
    /// </summary>
    public string? OrgId { get; set; }

    /// <summary>
    /// Start a new trace also when exactly one side (the incoming baggage or this service) has an
    /// organization id. Default <see langword="false"/>.
    /// </summary>
    public bool StrictTraceContinuation { get; set; }

    /// <summary>
    /// Carry incoming baggage members that are not Sentry's (<c>sentry-</c>) on to the targets, within
    /// the W3C limits. Default <see langword="true"/>; Sentry's own SDKs drop them.
    /// </summary>
    public bool PropagateThirdPartyBaggage { get; set; } = true;

    /// <summary>
    /// Decides per request whether the incoming trace headers are honoured. When it returns
    /// <see langword="false"/> the request starts a fresh trace: the caller can neither force sampling nor
    /// inject baggage that is forwarded. Default: every caller is trusted (as Sentry's SDKs do).
    /// </summary>
    public Func<HttpContext, bool>? TrustIncomingTraceHeaders { get; set; }

    /// <summary>HTTP methods whose requests are never sampled. Default <c>OPTIONS</c> and <c>HEAD</c>, as Sentry's SDKs do.</summary>
    public IList<string> UnsampledHttpMethods { get; set; } = ["OPTIONS", "HEAD"];

    /// <summary>
    /// Add the trace handler to every <c>IHttpClientFactory</c> client. Default <see langword="true"/>;
    /// when off, add it per client with <c>AddTracePropagation()</c>.
    /// </summary>
    public bool InstrumentAllHttpClients { get; set; } = true;

    /// <summary>
    /// Add the middleware at the start of the pipeline automatically. Default <see langword="true"/>;
    /// calling <c>app.UseTracing()</c> places it by hand instead (never twice).
    /// </summary>
    public bool AddMiddlewareAutomatically { get; set; } = true;

    /// <summary>
    /// Log one tree per trace (op, name, duration, status and short span id, children indented) at
    /// Information level, category <c>TraceMiddleware.Console</c>; the local roots of a trace that finish within
    /// a short window, in any host of the process, are shown together (see <see cref="ServiceName"/>). <see langword="null"/> (the default):
    /// only when no <see cref="Dsn"/> is set and the host environment is Development;
    /// <see langword="true"/>: always; <see langword="false"/>: never.
    /// </summary>
    public bool? ConsoleExporter { get; set; }

    /// <summary>
    /// The name of this service in the console tree, where the local roots of one trace from every service of
    /// the process are shown together, each labelled with its service's name. Default: the host's
    /// application name (<c>IHostEnvironment.ApplicationName</c>).
    /// </summary>
    public string? ServiceName { get; set; }

    /// <summary>
    /// Also send every envelope to Spotlight, Sentry's local trace viewer (<c>npx @spotlightjs/spotlight</c>), as
    /// Sentry's SDKs do: <c>"true"</c> sends to its default URL <c>http://localhost:8969/stream</c>, a URL sends
    /// there, <c>"false"</c> or <see langword="null"/> (the default) sends nothing. Besides any <see cref="Dsn"/>
    /// and the console; the browser tunnel copies the browser's envelopes there too. When this is unset (or
    /// <c>"true"</c>), the <c>SENTRY_SPOTLIGHT</c> environment variable is read as Sentry's SDKs read it.
    /// </summary>
    public string? Spotlight { get; set; }

    /// <summary>
    /// How many finished transactions may wait for the exporters. When the queue is full, new ones are
    /// dropped and counted (a request never waits). At least 1; default 1000.
    /// </summary>
    public int ExportQueueCapacity { get; set; } = DefaultExportQueueCapacity;

    /// <summary>The most transactions handed to the exporters in one batch. At least 1; default 100.</summary>
    public int ExportBatchSize { get; set; } = DefaultExportBatchSize;

    /// <summary>
    /// How long host shutdown waits for the queued transactions to be exported before the exporters are
    /// cancelled. Longer than zero and at most 3600 seconds (one hour); default
    /// 3 seconds. In configuration a time span, <c>"00:00:03"</c>
    /// (a bare number is refused: .NET would read <c>3</c> as three days).
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(DefaultShutdownTimeoutSeconds);

    /// <summary>The default of <see cref="ExportQueueCapacity"/>.</summary>
    internal const int DefaultExportQueueCapacity = 1000;

    /// <summary>The default of <see cref="ExportBatchSize"/>.</summary>
    internal const int DefaultExportBatchSize = 100;

    /// <summary>The default of <see cref="ShutdownTimeout"/>, in seconds.</summary>
    internal const int DefaultShutdownTimeoutSeconds = 3;

    /// <summary>The longest <see cref="ServiceName"/> accepted: it labels lines of a console tree.</summary>
    internal const int MaxServiceNameLength = 64;

    /// <summary>The longest <see cref="ShutdownTimeout"/> accepted, in seconds (one hour).</summary>
    internal const int MaxShutdownTimeoutSeconds = 3600;

    /// <summary>
    /// Add <c>Server-Timing: sentry-trace;desc="…", baggage;desc="…"</c> to every traced response, for the
    /// request's span: Sentry's browser SDK reads it on page load when the page has no meta tags, so a
    /// static HTML page continues the trace without Razor. Default <see langword="false"/>.
    /// </summary>
    public bool ServerTimingHeader { get; set; }

    /// <summary>
    /// Send what identifies a person (Sentry's name): the client's IP address (as the user's), and the request's
    /// headers and cookies, also when another instrumentation wrote them on a span (a user agent, a client
    /// address). Default <see langword="false"/>. The query string is never sent; what the app sets as the user
    /// with <c>SentryTracer.SetUser</c> is sent either way.
    /// </summary>
    public bool SendDefaultPii { get; set; }

    /// <summary>Sentry tags every transaction of this service carries (Sentry's <c>DefaultTags</c>), such as <c>region: eu-west</c>.</summary>
    public IDictionary<string, string> DefaultTags { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Transactions left out of Sentry and every exporter, matched on the transaction name (<c>GET /health</c>)
    /// and the request path (<c>/health</c>): written as propagation targets are (a plain string is a
    /// case-insensitive substring; one starting with <c>^</c> is a regular expression; code may add
    /// <see cref="Regex"/> objects). An ignored request is still continued and propagated; it is only not recorded.
    /// </summary>
    public IList<TracePropagationTarget> IgnoreTransactions { get; set; } = [];

    /// <summary>
    /// Response status codes whose requests are left out of Sentry and every exporter: single codes (<c>"404"</c>)
    /// and ranges (<c>"500-599"</c>). Default none.
    /// </summary>
    public IList<string> IgnoreStatusCodes { get; set; } = [];

    /// <summary>
    /// Leave static-file requests out of Sentry and every exporter: requests answered by a static-asset endpoint
    /// (<c>MapStaticAssets</c>) and requests that matched no endpoint whose path ends in a static file's extension
    /// (<c>UseStaticFiles</c>: <c>.css</c>, <c>.js</c>, images, fonts, source maps). Default <see langword="true"/>.
    /// </summary>
    public bool IgnoreStaticFiles { get; set; } = true;

    /// <summary>
    /// Sees every finished transaction before any exporter does, on the export path (never on a request's), and
    /// returns it (changed or not) or <see langword="null"/> to drop it: scrub a URL, drop a noisy transaction, add
    /// a tag. An exception drops that transaction and is logged once. Code only (Sentry's <c>SetBeforeSendTransaction</c>).
    /// </summary>
    public Func<SentryTransaction, SentryTransaction?>? BeforeSendTransaction { get; set; }

    internal List<string> ConfigurationErrors { get; } = [];
}
