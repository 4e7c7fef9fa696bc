using System.Runtime.CompilerServices;

// The Spotlight interop test drives SentryTraceExporter (internal) directly. This belongs with the other
// InternalsVisibleTo items in TraceMiddleware.csproj; it lives here until that shared file gains the line.
[assembly: InternalsVisibleTo("TraceMiddleware.InteropTests")]
