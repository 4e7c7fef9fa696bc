namespace TraceMiddleware.Http;

/// <summary>
/// What was decided for a request's URL, left in <see cref="HttpRequestMessage.Options"/>: a later hop (a
/// redirect changes the URL) knows headers were decided before and must be taken back for a non-target.
/// </summary>
internal sealed class PropagationMark
{
    public static readonly HttpRequestOptionsKey<PropagationMark> Key = new("TraceMiddleware.Propagation");

    public PropagationMark(Uri? decidedFor, bool sent, bool byHandler)
    {
        DecidedFor = decidedFor;
        Sent = sent;
        ByHandler = byHandler;
    }

    /// <summary>The URL the decision was made for.</summary>
    public Uri? DecidedFor { get; }

    /// <summary>Whether trace headers were added for <see cref="DecidedFor"/>.</summary>
    public bool Sent { get; }

    /// <summary>Whether the library's handler decided (on a client where .NET asks no propagator of ours).</summary>
    public bool ByHandler { get; }
}
