namespace TraceMiddleware.Propagation;

/// <summary>How a <see cref="TracePropagationTarget"/> decides.</summary>
internal enum TracePropagationTargetKind
{
    /// <summary><c>*</c> or <c>.*</c>: every absolute URL.</summary>
    Every,

    /// <summary>A case-insensitive substring of the URL text.</summary>
    Substring,

    /// <summary>A regular expression on the URL text.</summary>
    Pattern,

    /// <summary>The host equals a loopback name exactly (case-insensitive), any scheme and port.</summary>
    LoopbackHost,
}
