
namespace TraceMiddleware.Transactions;

/// <summary>What a transaction carries besides its spans: the Sentry tags and user set while it ran, the request it served, and the privacy setting its data is read under.</summary>
internal sealed class TransactionDetails
{
    public static readonly TransactionDetails None = new([], null, null, sendDefaultPii: false);

    public TransactionDetails(IReadOnlyList<KeyValuePair<string, string>> tags, SentryUser? user, SentryRequest? request, bool sendDefaultPii)
    {
        Tags = tags;
        User = user;
        Request = request;
        SendDefaultPii = sendDefaultPii;
    }

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; }

    public SentryUser? User { get; }

    public SentryRequest? Request { get; }

    public bool SendDefaultPii { get; }
}
