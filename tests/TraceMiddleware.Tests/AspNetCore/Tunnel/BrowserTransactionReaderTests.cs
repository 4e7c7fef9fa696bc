using System.Text;
using TraceMiddleware.AspNetCore.Tunnel;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.AspNetCore.Tunnel;

public sealed class BrowserTransactionReaderTests
{
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";

    private const string Transaction = """
        {"contexts":{"trace":{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","parent_span_id":"00f067aa0ba902b7","op":"ui.action","status":"ok"}},
         "transaction":"process_order","start_timestamp":1735732800.5,"timestamp":1735732800.75,"type":"transaction",
         "spans":[{"span_id":"1111111111111111","parent_span_id":"b7ad6b7169203331","op":"http.client","description":"POST http://127.0.0.1:5101/api/orders","start_timestamp":1735732800.51,"timestamp":1735732800.7,"status":"ok","trace_id":"0af7651916cd43dd8448eb211c80319c"},
                  {"span_id":"2222222222222222","parent_span_id":"b7ad6b7169203331","op":"ui.long-task","description":"Main UI thread blocked","start_timestamp":1735732800.52,"timestamp":1735732800.6}]}
        """;

    private static byte[] Envelope(params string[] items) =>
        Encoding.UTF8.GetBytes("{\"dsn\":\"http://offline@localhost/0\",\"sent_at\":\"2025-01-01T12:00:00.000Z\"}\n" + string.Join('\n', items));

    private static string Item(string type, string payload, bool withLength = true) =>
        (withLength ? $"{{\"type\":\"{type}\",\"length\":{Encoding.UTF8.GetByteCount(payload)}}}" : $"{{\"type\":\"{type}\"}}") + "\n" + payload;

    [Fact]
    public void TryRead_ATransactionItem_GivesTheBrowsersRootAndSpans()
    {
        var read = BrowserTransactionReader.TryRead(Envelope(Item("transaction", Transaction.ReplaceLineEndings(""))), out var root);

        Assert.True(read);
        Assert.Equal((ConsoleTraceExporter.BrowserServiceName, TraceId), (root!.Service, root.TraceId.ToHexString()));
        Assert.Equal(("b7ad6b7169203331", "00f067aa0ba902b7", "ui.action", "process_order", "ok"), (root.Root.SpanId.ToHexString(), root.Root.ParentSpanId.ToHexString(), root.Root.Op, root.Root.Name, root.Root.Status));
        Assert.Equal(250, root.Root.Duration.TotalMilliseconds, 3);
        Assert.Equal(new DateTime(2025, 1, 1, 12, 0, 0, 500, DateTimeKind.Utc), root.Root.StartUtc);
        Assert.Equal(2, root.Spans.Count);
        Assert.Equal(("1111111111111111", "b7ad6b7169203331", "http.client", "POST http://127.0.0.1:5101/api/orders"), (root.Spans[0].SpanId.ToHexString(), root.Spans[0].ParentSpanId.ToHexString(), root.Spans[0].Op, root.Spans[0].Name));
        Assert.Equal("ok", root.Spans[1].Status);
    }

    [Fact]
    public void TryRead_FindsTheTransactionAfterOtherItems_WithAndWithoutLengths()
    {
        var envelope = Envelope(Item("client_report", "{\"discarded_events\":[]}", withLength: false), Item("attachment", "a\nb"), Item("transaction", Transaction.ReplaceLineEndings(""), withLength: false));

        Assert.True(BrowserTransactionReader.TryRead(envelope, out var root));
        Assert.Equal("process_order", root!.Root.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"dsn\":\"x\"}")]
    [InlineData("{\"dsn\":\"x\"}\n{\"type\":\"event\"}\n{}")]
    [InlineData("{\"dsn\":\"x\"}\n{\"type\":\"transaction\",\"length\":999}\n{}")]
    [InlineData("{\"dsn\":\"x\"}\n{\"type\":\"transaction\",\"length\":-1}\n{}")]
    [InlineData("{\"dsn\":\"x\"}\nnot json\n{}")]
    [InlineData("{\"dsn\":\"x\"}\n{\"type\":\"transaction\"}\n{\"contexts\":{\"trace\":{\"trace_id\":\"0AF7651916CD43DD8448EB211C80319C\",\"span_id\":\"b7ad6b7169203331\"}},\"start_timestamp\":1,\"timestamp\":2}")]
    [InlineData("{\"dsn\":\"x\"}\n{\"type\":\"transaction\"}\n{\"contexts\":{\"trace\":{\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\",\"span_id\":\"b7ad6b7169203331\"}},\"start_timestamp\":\"1\",\"timestamp\":2}")]
    [InlineData("{\"dsn\":\"x\"}\n{\"type\":\"transaction\"}\n{\"contexts\":{\"trace\":{\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\",\"span_id\":\"b7ad6b7169203331\"}},\"start_timestamp\":1e300,\"timestamp\":2}")]
    [InlineData("{\"dsn\":\"x\"}\n{\"type\":\"transaction\"}\n{\"contexts\":{\"trace\":{\"trace_id\":\"00000000000000000000000000000000\",\"span_id\":\"b7ad6b7169203331\"}},\"start_timestamp\":1,\"timestamp\":2}")]
    [InlineData("{\"dsn\":\"x\"}\n{\"type\":\"transaction\"}\n{\"contexts\":{\"trace\":{\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\",\"span_id\":\"b7ad6b7169203331\"}},\"start_timestamp\":1,\"timestamp\":2")]
    public void TryRead_WhatIsNotAReadableTransaction_IsFalse_NeverAnException(string envelope)
    {
        Assert.False(BrowserTransactionReader.TryRead(Encoding.UTF8.GetBytes(envelope), out var root));
        Assert.Null(root);
    }

    [Fact]
    public void TryRead_BadSpans_AreLeftOutAndCounted_AndSpansPastTheLimitToo()
    {
        var spans = new StringBuilder();
        spans.Append("{\"span_id\":\"not hex\",\"start_timestamp\":1,\"timestamp\":2},");
        for (var i = 0; i < SentryTransaction.MaxSpans + 5; i++)
        {
            spans.Append($"{{\"span_id\":\"{i + 1:x16}\",\"start_timestamp\":1,\"timestamp\":2}},");
        }

        var payload = "{\"contexts\":{\"trace\":{\"trace_id\":\"" + TraceId + "\",\"span_id\":\"b7ad6b7169203331\"}},\"start_timestamp\":1,\"timestamp\":2,\"spans\":[" + spans.ToString().TrimEnd(',') + "]}";

        Assert.True(BrowserTransactionReader.TryRead(Envelope(Item("transaction", payload)), out var root));
        Assert.Equal(SentryTransaction.MaxSpans, root!.Spans.Count);
        Assert.Equal(6, root.DroppedSpanCount);
        Assert.Equal((ConsoleTraceRoot.DefaultOp, string.Empty, "ok"), (root.Root.Op, root.Root.Name, root.Root.Status));
    }

    [Fact]
    public void TryRead_LongText_IsCut()
    {
        var name = new string('x', 5000);
        var payload = "{\"contexts\":{\"trace\":{\"trace_id\":\"" + TraceId + "\",\"span_id\":\"b7ad6b7169203331\",\"op\":\"" + name + "\"}},\"transaction\":\"" + name + "\",\"start_timestamp\":1,\"timestamp\":2}";

        Assert.True(BrowserTransactionReader.TryRead(Envelope(Item("transaction", payload)), out var root));
        Assert.Equal(BrowserTransactionReader.MaxTextLength, root!.Root.Name.Length);
        Assert.EndsWith("…", root.Root.Op, StringComparison.Ordinal);
    }
}
