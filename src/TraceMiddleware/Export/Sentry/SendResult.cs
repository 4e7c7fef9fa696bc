namespace TraceMiddleware.Export.Sentry;

/// <summary>What one envelope's send means for the rest of the batch.</summary>
internal enum SendResult
{
    /// <summary>Delivered, or dropped for a reason of its own (413, rate limit, rejection): go on.</summary>
    Continue,

    /// <summary>Every attempt failed: the receiver is down, so the rest of the batch is dropped unsent.</summary>
    StopBatch,

    /// <summary>The caller's token was cancelled.</summary>
    Cancelled,
}
