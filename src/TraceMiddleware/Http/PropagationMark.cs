namespace TraceMiddleware.Http;

/// <summary>
/// What the handler decided for a request, left in <see cref="HttpRequestMessage.Options"/> for the
/// propagator that runs inside .NET's own handler (and again on every redirect hop).
/// </summary>
internal sealed class PropagationMark
{
    public static readonly HttpRequestOptionsKey<PropagationMark> Key = new("TraceMiddleware.Propagation");

    public PropagationMark(Uri? decidedFor, bool sent)
    {
        DecidedFor = decidedFor;
        Sent = sent;
    }

    /// <summary>The URL the decision was made for; a redirect changes the request's URL.</summary>
    public Uri? DecidedFor { get; }

    /// <summary>Whether trace headers were added for <see cref="DecidedFor"/>.</summary>
    public bool Sent { get; }
}
