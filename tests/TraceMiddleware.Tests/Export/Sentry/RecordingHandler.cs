using System.Diagnostics;
using System.Net;

namespace TraceMiddleware.Tests.Export.Sentry;

/// <summary>
/// Records each request (with Activity.Current at send time) and answers 200 unless told otherwise. The
/// exporter sends concurrently, so recording takes a lock; read <see cref="Requests"/> once the export is done.
/// </summary>
public sealed class RecordingHandler : HttpMessageHandler
{
    public List<RecordedRequest> Requests { get; } = [];

    public Func<HttpRequestMessage, HttpResponseMessage> Respond { get; init; } = _ => new HttpResponseMessage(HttpStatusCode.OK);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        lock (Requests)
        {
            Requests.Add(new RecordedRequest(request.Method, request.RequestUri!, headers, body, Activity.Current));
        }

        return Respond(request);
    }
}
