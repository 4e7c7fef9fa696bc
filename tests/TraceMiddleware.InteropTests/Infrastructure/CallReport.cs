namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>One call a traced endpoint made: where, with which client, and the answer.</summary>
public sealed record CallReport(string Url, bool PlainClient, int Status, string Body);
