using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Primitives;
using MinimalApp;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Propagation;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Reliability;

/// <summary>
/// Generated hostile headers through the real pipeline: no request fails, nothing escapes, and whatever
/// the service passes on (headers, meta tags) is valid. build/stress.sh raises the counts.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task HostileHeaders_NeverFailARequest_AndWhatIsPassedOnIsValid()
    {
        var count = HostileHeaders.Count("HOSTILE_PIPELINE_INPUTS", 20_000);
        var generator = new HostileHeaders(seed: 20261121);
        await using var factory = TestHosts.Minimal(new()
        {
            ["Tracing:TracesSampleRate"] = "0.5",
            ["Tracing:PropagateTraceparent"] = "true",
            ["Tracing:Release"] = "shop@1.0",
        });
        var server = factory.Server;
        var continued = 0;

        for (var i = 0; i < count; i++)
        {
            var input = generator.NextRequest();
            var context = await server.SendAsync(c =>
            {
                c.Request.Method = "GET";
                c.Request.Path = "/trace-out";
                Set(c.Request.Headers, "sentry-trace", input.SentryTrace);
                Set(c.Request.Headers, "baggage", input.Baggage);
                Set(c.Request.Headers, "traceparent", input.Traceparent);
                Set(c.Request.Headers, "tracestate", input.Tracestate);
            });

            Assert.True(context.Response.StatusCode == 200, $"input {i} gave {context.Response.StatusCode}: {input}");
            var output = await JsonSerializer.DeserializeAsync<TraceOut>(context.Response.Body, Json);
            AssertValid(output!, i, input);
            if (input.SentryTrace is [var first, ..] && SentryTraceHeader.TryParse(first, out var incoming))
            {
                Assert.StartsWith(incoming.TraceId.ToHexString(), output!.SentryTrace, StringComparison.Ordinal);
                continued++;
            }
        }

        // The generator must exercise continuation too, not only rejection.
        Assert.InRange(continued, count / 10, count);
    }

    [Fact]
    public async Task HostileHeaders_OnARealOutgoingCall_ReachTheCalleeAsValidHeaders()
    {
        var count = HostileHeaders.Count("HOSTILE_OUTGOING_INPUTS", 300);
        var generator = new HostileHeaders(seed: 7);
        await using var echo = await EchoServer.StartAsync();
        await using var factory = TestHosts.Minimal(new() { ["Tracing:PropagateTraceparent"] = "true" });
        var server = factory.Server;
        var url = Uri.EscapeDataString(echo.BaseAddress + "callee");

        for (var i = 0; i < count; i++)
        {
            var input = generator.NextRequest();
            var context = await server.SendAsync(c =>
            {
                c.Request.Method = "GET";
                c.Request.Path = "/call";
                c.Request.QueryString = new QueryString($"?url={url}");
                Set(c.Request.Headers, "sentry-trace", input.SentryTrace);
                Set(c.Request.Headers, "baggage", input.Baggage);
                Set(c.Request.Headers, "traceparent", input.Traceparent);
                Set(c.Request.Headers, "tracestate", input.Tracestate);
            });

            Assert.True(context.Response.StatusCode == 200, $"input {i} gave {context.Response.StatusCode}: {input}");
            var seen = await JsonSerializer.DeserializeAsync<Dictionary<string, string>>(context.Response.Body);
            AssertValid(new TraceOut(seen!["sentry-trace"], seen.GetValueOrDefault("baggage"), seen.GetValueOrDefault("traceparent"), seen.GetValueOrDefault("tracestate"), string.Empty), i, input);
        }

        Assert.Equal(count, echo.Received.Count);
    }

    internal static void AssertValid(TraceOut output, int index, HostileRequest input)
    {
        var because = $"input {index}: {input}";
        Assert.True(SentryTraceHeader.TryParse(output.SentryTrace, out _), because);
        if (output.Baggage is { } baggage)
        {
            AssertPrintableToken(baggage, because);
            Assert.InRange(baggage.Length, 1, Baggage.MaxBytes);
            Assert.True(Baggage.TryParse(baggage, out var parsed), because);
            Assert.Equal(baggage, parsed.ToString());
        }

        if (output.TraceParent is { } traceparent)
        {
            Assert.True(TraceParentHeader.TryParse(traceparent, out _), because);
        }

        if (output.TraceState is { } tracestate)
        {
            Assert.True(TraceStateHeader.TryParse(tracestate, out var state), because);
            Assert.Equal(tracestate, state.Value);
            Assert.InRange(tracestate.Length, 1, TraceStateHeader.MaxPropagatedLength);
        }

        if (output.Meta.Length > 0)
        {
            // Two tags and nothing else: no quote or angle bracket from the input survives inside them.
            Assert.Matches("^<meta name=\"sentry-trace\" content=\"[0-9a-f-]+\"/>(<meta name=\"baggage\" content=\"[^\"<>]*\"/>)?$", output.Meta);
        }
    }

    private static void AssertPrintableToken(string value, string because)
    {
        foreach (var c in value)
        {
            Assert.True(c is > ' ' and < (char)0x7F, $"{because}: character U+{(int)c:X4} in an outgoing header");
        }
    }

    private static void Set(IHeaderDictionary headers, string name, string[]? values)
    {
        if (values is not null)
        {
            headers[name] = new StringValues(values);
        }
    }
}
