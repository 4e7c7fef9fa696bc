namespace TraceMiddleware.Transactions;

/// <summary>
/// The user a transaction is about, as Sentry shows it: set it with <c>SentryTracer.SetUser</c> while the
/// request runs. What the app sets here is sent; the client's address is added by itself only with
/// <c>SendDefaultPii</c>.
/// </summary>
public sealed class SentryUser
{
    /// <summary>The app's id of the user.</summary>
    public string? Id { get; set; }

    /// <summary>The user's name.</summary>
    public string? Username { get; set; }

    /// <summary>The user's email address.</summary>
    public string? Email { get; set; }

    /// <summary>The user's IP address.</summary>
    public string? IpAddress { get; set; }

    internal bool IsEmpty => Id is null && Username is null && Email is null && IpAddress is null;

    internal SentryUser Clone() => new() { Id = Id, Username = Username, Email = Email, IpAddress = IpAddress };
}
