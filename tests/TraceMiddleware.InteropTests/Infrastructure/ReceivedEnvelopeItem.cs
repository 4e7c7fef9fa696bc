using System.Text.Json;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>One item of an envelope: its header, its raw payload and, when the payload is JSON, the parsed payload.</summary>
public sealed record ReceivedEnvelopeItem(string? Type, JsonElement Header, ReadOnlyMemory<byte> Payload, JsonElement? Json);
