using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Sentry;
using TraceMiddleware.Propagation;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.Tests.Export.Sentry;

public class EnvelopeWriterTests
{
    private const string Hostile = "Say \"hi\"\n\tto </script><script>alert('x')</script> & \\ caf\u00e9 \u65e5\u672c \ud83d\ude00 \u2028 \u0001 +";

    private static EnvelopeWriter NewWriter() =>
        new(new FixedTimeProvider(TestTransactions.SentAt), TestTransactions.FixedEventId, sdkVersion: "1.2.3");

    private static byte[] Write(SentryTransaction transaction, EnvelopeWriter? writer = null)
    {
        var output = new ArrayBufferWriter<byte>();
        (writer ?? NewWriter()).Write(transaction, output);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Write_TransactionWithTwoChildren_MatchesTheGoldenEnvelope()
    {
        // Arrange
        var transaction = TestTransactions.WithTwoChildren();

        // Act
        var bytes = TestTransactions.Normalize(Write(transaction), transaction);

        // Assert
        GoldenFile.AssertMatches("transaction-with-two-children.envelope", bytes);
    }

    [Fact]
    public void Write_TransactionWithTwoChildren_HasTheShapeOfProtocolSection8()
    {
        var transaction = TestTransactions.WithTwoChildren();

        var envelope = ParsedEnvelope.Parse(Write(transaction));

        var header = envelope.Header;
        Assert.Equal(TestTransactions.EventId, header.GetProperty("event_id").GetString());
        Assert.Equal("2025-01-01T00:00:01.500Z", header.GetProperty("sent_at").GetString());
        Assert.Equal("sentry.dotnet.tracemiddleware", header.GetProperty("sdk").GetProperty("name").GetString());
        Assert.Equal("1.2.3", header.GetProperty("sdk").GetProperty("version").GetString());
        var trace = header.GetProperty("trace");
        Assert.Equal(
            transaction.DynamicSamplingContext.Entries.Select(e => (e.Key, e.Value)),
            trace.EnumerateObject().Select(p => (p.Name, p.Value.GetString()!)));

        var payload = envelope.Payload;
        Assert.Equal("transaction", payload.GetProperty("type").GetString());
        Assert.Equal(TestTransactions.EventId, payload.GetProperty("event_id").GetString());
        Assert.Equal("GET /orders/{id}", payload.GetProperty("transaction").GetString());
        Assert.Equal("route", payload.GetProperty("transaction_info").GetProperty("source").GetString());
        Assert.Equal(1735689600m, payload.GetProperty("start_timestamp").GetDecimal());
        Assert.Equal(1735689600.25m, payload.GetProperty("timestamp").GetDecimal());
        Assert.Equal("shop@1.4.0", payload.GetProperty("release").GetString());
        Assert.Equal("production", payload.GetProperty("environment").GetString());
        Assert.Equal("csharp", payload.GetProperty("platform").GetString());

        var context = payload.GetProperty("contexts").GetProperty("trace");
        Assert.Equal(TestTransactions.TraceId, context.GetProperty("trace_id").GetString());
        Assert.Equal(transaction.Root.SpanId.ToHexString(), context.GetProperty("span_id").GetString());
        Assert.Equal(TestTransactions.CallerSpanId, context.GetProperty("parent_span_id").GetString());
        Assert.Equal("http.server", context.GetProperty("op").GetString());
        Assert.Equal("ok", context.GetProperty("status").GetString());
        Assert.Equal("auto.http.aspnetcore", context.GetProperty("origin").GetString());
        var data = context.GetProperty("data");
        Assert.Equal(200, data.GetProperty("http.response.status_code").GetInt32());
        Assert.Equal("/orders/42", data.GetProperty("url.path").GetString());
        Assert.DoesNotContain(data.EnumerateObject(), p => p.Name.StartsWith("sentry.", StringComparison.Ordinal));

        var spans = payload.GetProperty("spans").EnumerateArray().ToArray();
        Assert.Equal(2, spans.Length);
        Assert.All(spans, s => Assert.Equal(TestTransactions.TraceId, s.GetProperty("trace_id").GetString()));
        Assert.All(spans, s => Assert.Equal(transaction.Root.SpanId.ToHexString(), s.GetProperty("parent_span_id").GetString()));
        Assert.Equal("db.query", spans[0].GetProperty("op").GetString());
        Assert.Equal("SELECT * FROM orders WHERE id = @id", spans[0].GetProperty("description").GetString());
        Assert.Equal(1735689600.010123m, spans[0].GetProperty("start_timestamp").GetDecimal());
        Assert.Equal(1735689600.050623m, spans[0].GetProperty("timestamp").GetDecimal());
        Assert.Equal(3, spans[0].GetProperty("data").GetProperty("db.rows").GetInt64());
        Assert.Equal(JsonValueKind.False, spans[0].GetProperty("data").GetProperty("db.cached").ValueKind);
        Assert.Equal(0.5, spans[0].GetProperty("data").GetProperty("db.ratio").GetDouble());
        Assert.Equal("manual", spans[0].GetProperty("origin").GetString());
        Assert.Equal("internal_error", spans[1].GetProperty("status").GetString());
        Assert.Equal("auto.http.httpclient", spans[1].GetProperty("origin").GetString());
    }

    [Fact]
    public void Write_Envelope_HasTwoNewlinesAndNoTrailingOne()
    {
        var bytes = Write(TestTransactions.WithTwoChildren());

        Assert.Equal(2, bytes.Count(b => b == (byte)'\n'));
        Assert.NotEqual((byte)'\n', bytes[^1]);
        Assert.Equal((byte)'}', bytes[^1]);
    }

    [Fact]
    public void Write_HostileNamesAndValues_AreEscapedAndRoundTrip()
    {
        // Arrange
        var root = TestTransactions.Finished(
            Hostile,
            ActivityTraceId.CreateRandom(),
            ActivitySpanId.CreateRandom(),
            TestTransactions.Start,
            TimeSpan.FromSeconds(1),
            (SpanTags.Op, Hostile),
            (SpanTags.Status, Hostile),
            (Hostile, Hostile));
        var dsc = DynamicSamplingContext.CreateHead(root.TraceId, "k", Hostile, Hostile, null, Hostile, true, "0.5", null);

        // Act
        var bytes = Write(TestTransactions.Single(root, dsc, release: Hostile));

        // Assert: no raw HTML-sensitive character and no raw line break can reach a viewer.
        var text = Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain("</script>", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", text, StringComparison.Ordinal);
        Assert.DoesNotContain("'", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u2028", text, StringComparison.Ordinal);
        Assert.Equal(2, bytes.Count(b => b == (byte)'\n'));
        Assert.All(bytes, b => Assert.True(b < 0x80, "the default encoder writes ASCII only"));

        var envelope = ParsedEnvelope.Parse(bytes);
        Assert.Equal(Hostile, envelope.Payload.GetProperty("transaction").GetString());
        Assert.Equal(Hostile, envelope.Payload.GetProperty("release").GetString());
        var context = envelope.Payload.GetProperty("contexts").GetProperty("trace");
        Assert.Equal(Hostile, context.GetProperty("op").GetString());
        Assert.Equal(Hostile, context.GetProperty("status").GetString());
        Assert.Equal(Hostile, context.GetProperty("data").GetProperty(Hostile).GetString());
        Assert.Equal(Hostile, envelope.Header.GetProperty("trace").GetProperty("release").GetString());
        Assert.Equal(Hostile, envelope.Header.GetProperty("trace").GetProperty("transaction").GetString());
    }

    [Fact]
    public void Write_LoneSurrogateInAValue_StillWritesValidJson()
    {
        var root = TestTransactions.Finished(
            "name \ud800 end",
            ActivityTraceId.CreateRandom(),
            ActivitySpanId.CreateRandom(),
            TestTransactions.Start,
            TimeSpan.FromSeconds(1),
            ("half", "x\udc00y"));

        var envelope = ParsedEnvelope.Parse(Write(TestTransactions.Single(root)));

        Assert.Equal("name \ufffd end", envelope.Payload.GetProperty("transaction").GetString());
        Assert.Equal("x\ufffdy", envelope.Payload.GetProperty("contexts").GetProperty("trace").GetProperty("data").GetProperty("half").GetString());
    }

    [Fact]
    public void Write_DataValues_KeepTheirJsonKinds()
    {
        var root = TestTransactions.Finished(
            "kinds",
            ActivityTraceId.CreateRandom(),
            ActivitySpanId.CreateRandom(),
            TestTransactions.Start,
            TimeSpan.FromSeconds(1),
            ("int", 42),
            ("long", long.MaxValue),
            ("ulong", ulong.MaxValue),
            ("short", (short)-7),
            ("byte", (byte)255),
            ("double", 1.5e300),
            ("float", 0.25f),
            ("decimal", 12.5m),
            ("true", true),
            ("nan", double.NaN),
            ("infinity", double.PositiveInfinity),
            ("float-infinity", float.NegativeInfinity),
            ("strings", new[] { "a", "b" }),
            ("ints", new[] { 1, 2, 3 }),
            ("guid", Guid.Empty),
            ("uri", new Uri("http://example.com/a")),
            ("date", new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc)));

        var data = ParsedEnvelope.Parse(Write(TestTransactions.Single(root))).Payload.GetProperty("contexts").GetProperty("trace").GetProperty("data");

        Assert.Equal(42, data.GetProperty("int").GetInt32());
        Assert.Equal(long.MaxValue, data.GetProperty("long").GetInt64());
        Assert.Equal(ulong.MaxValue, data.GetProperty("ulong").GetUInt64());
        Assert.Equal(-7, data.GetProperty("short").GetInt32());
        Assert.Equal(255, data.GetProperty("byte").GetInt32());
        Assert.Equal(1.5e300, data.GetProperty("double").GetDouble());
        Assert.Equal(0.25, data.GetProperty("float").GetDouble());
        Assert.Equal(12.5m, data.GetProperty("decimal").GetDecimal());
        Assert.Equal(JsonValueKind.True, data.GetProperty("true").ValueKind);
        Assert.Equal("NaN", data.GetProperty("nan").GetString());
        Assert.Equal("Infinity", data.GetProperty("infinity").GetString());
        Assert.Equal("-Infinity", data.GetProperty("float-infinity").GetString());
        Assert.Equal(["a", "b"], data.GetProperty("strings").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal([1, 2, 3], data.GetProperty("ints").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(Guid.Empty.ToString(), data.GetProperty("guid").GetString());
        Assert.Equal("http://example.com/a", data.GetProperty("uri").GetString());
        Assert.Equal("01/02/2025 03:04:05", data.GetProperty("date").GetString());
    }

    [Fact]
    public void Write_RootWithoutTags_FallsBackToOperationNameOkAndManual()
    {
        var root = TestTransactions.Finished("plain", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), TestTransactions.Start, TimeSpan.FromSeconds(1));

        var context = ParsedEnvelope.Parse(Write(TestTransactions.Single(root))).Payload.GetProperty("contexts").GetProperty("trace");

        Assert.Equal("plain", context.GetProperty("op").GetString());
        Assert.Equal("ok", context.GetProperty("status").GetString());
        Assert.Equal("manual", context.GetProperty("origin").GetString());
        Assert.False(context.TryGetProperty("data", out _));
    }

    [Fact]
    public void Write_ErrorStatusWithoutSentryStatusTag_IsInternalError()
    {
        var root = TestTransactions.Finished("failed", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), TestTransactions.Start, TimeSpan.FromSeconds(1));
        root.SetStatus(ActivityStatusCode.Error);

        var context = ParsedEnvelope.Parse(Write(TestTransactions.Single(root))).Payload.GetProperty("contexts").GetProperty("trace");

        Assert.Equal("internal_error", context.GetProperty("status").GetString());
    }

    [Fact]
    public void Write_SentryStatusTag_WinsOverActivityStatus()
    {
        var root = TestTransactions.Finished("missing", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), TestTransactions.Start, TimeSpan.FromSeconds(1), (SpanTags.Status, "not_found"));
        root.SetStatus(ActivityStatusCode.Error);

        var context = ParsedEnvelope.Parse(Write(TestTransactions.Single(root))).Payload.GetProperty("contexts").GetProperty("trace");

        Assert.Equal("not_found", context.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Write_RootParentSpanId_IsReportedOnlyWhenAsked(bool report, bool expected)
    {
        var root = TestTransactions.Finished("r", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateFromString(TestTransactions.CallerSpanId), TestTransactions.Start, TimeSpan.FromSeconds(1));

        var context = ParsedEnvelope.Parse(Write(TestTransactions.Single(root, reportParentSpanId: report))).Payload.GetProperty("contexts").GetProperty("trace");

        Assert.Equal(expected, context.TryGetProperty("parent_span_id", out var parent));
        if (expected)
        {
            Assert.Equal(TestTransactions.CallerSpanId, parent.GetString());
        }
    }

    [Fact]
    public void Write_RootWithoutParent_ReportsNoParentEvenWhenAsked()
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var root = new Activity("head").SetIdFormat(ActivityIdFormat.W3C).SetStartTime(TestTransactions.Start).Start();
        root.SetEndTime(TestTransactions.Start.AddSeconds(1));
        root.Stop();
        Activity.Current = previous;

        var context = ParsedEnvelope.Parse(Write(TestTransactions.Single(root, reportParentSpanId: true))).Payload.GetProperty("contexts").GetProperty("trace");

        Assert.False(context.TryGetProperty("parent_span_id", out _));
    }

    [Fact]
    public void Write_EmptyDsc_WritesNoTraceHeader()
    {
        var root = TestTransactions.Finished("r", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), TestTransactions.Start, TimeSpan.FromSeconds(1));

        var envelope = ParsedEnvelope.Parse(Write(TestTransactions.Single(root, DynamicSamplingContext.Empty)));

        Assert.False(envelope.Header.TryGetProperty("trace", out _));
    }

    [Fact]
    public void Write_NoRelease_OmitsRelease()
    {
        var root = TestTransactions.Finished("r", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), TestTransactions.Start, TimeSpan.FromSeconds(1));

        var envelope = ParsedEnvelope.Parse(Write(TestTransactions.Single(root, release: null)));

        Assert.False(envelope.Payload.TryGetProperty("release", out _));
    }

    [Fact]
    public void Write_TwiceWithOneWriter_GivesIndependentWholeEnvelopes()
    {
        // Arrange: one writer reuses its payload buffer; a long first payload must not leak into the second.
        var writer = NewWriter();
        var first = TestTransactions.WithTwoChildren();
        var short_ = TestTransactions.Single(TestTransactions.Finished("s", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), TestTransactions.Start, TimeSpan.FromSeconds(1)));

        // Act
        Write(first, writer);
        var second = Write(short_, writer);

        // Assert
        Assert.Equal(second, Write(short_));
        Assert.Equal("s", ParsedEnvelope.Parse(second).Payload.GetProperty("transaction").GetString());
    }

    [Fact]
    public void Fork_WritesTheSameBytesAsTheOriginal()
    {
        // Arrange
        var original = NewWriter();
        var fork = original.Fork();
        var transaction = TestTransactions.WithTwoChildren();

        // Act & Assert
        Assert.Equal(Write(transaction, original), Write(transaction, fork));
    }

    [Fact]
    public async Task Fork_WritingAlongsideTheOriginal_NeitherMixesIntoTheOther()
    {
        // Arrange: one writer used from two threads would mix payloads (or throw); a fork has buffers of its own.
        var original = NewWriter();
        var fork = original.Fork();
        var big = TestTransactions.WithTwoChildren();
        var small = TestTransactions.Single(TestTransactions.Finished("s", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), TestTransactions.Start, TimeSpan.FromSeconds(1)));
        var expectedBig = Write(big);
        var expectedSmall = Write(small);

        // Act
        var results = await Task.WhenAll(
            Task.Run(() => WriteRepeatedly(original, big, expectedBig)),
            Task.Run(() => WriteRepeatedly(fork, small, expectedSmall)));

        // Assert
        Assert.Equal([2000, 2000], results);
    }

    private static int WriteRepeatedly(EnvelopeWriter writer, SentryTransaction transaction, byte[] expected)
    {
        var output = new ArrayBufferWriter<byte>();
        var matches = 0;
        for (var i = 0; i < 2000; i++)
        {
            output.ResetWrittenCount();
            writer.Write(transaction, output);
            matches += output.WrittenSpan.SequenceEqual(expected) ? 1 : 0;
        }

        return matches;
    }

    [Fact]
    public void Fork_OfADefaultWriter_KeepsDrawingFreshEventIds()
    {
        var fork = new EnvelopeWriter(TimeProvider.System).Fork();
        var transaction = TestTransactions.WithTwoChildren();

        var a = ParsedEnvelope.Parse(Write(transaction, fork)).Header.GetProperty("event_id").GetString()!;
        var b = ParsedEnvelope.Parse(Write(transaction, fork)).Header.GetProperty("event_id").GetString()!;

        Assert.NotEqual(a, b);
        Assert.Equal(SentrySdkInfo.Version, ParsedEnvelope.Parse(Write(transaction, fork)).Header.GetProperty("sdk").GetProperty("version").GetString());
    }

    [Fact]
    public void Write_DefaultEventIds_AreFreshLowercaseHex()
    {
        var writer = new EnvelopeWriter(TimeProvider.System);
        var transaction = TestTransactions.WithTwoChildren();

        var a = ParsedEnvelope.Parse(Write(transaction, writer)).Header.GetProperty("event_id").GetString()!;
        var b = ParsedEnvelope.Parse(Write(transaction, writer)).Header.GetProperty("event_id").GetString()!;

        Assert.Matches("^[0-9a-f]{32}$", a);
        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1L, "0")]
    [InlineData(9L, "0")]
    [InlineData(10L, "0.000001")]
    [InlineData(12_345_678L, "1.234567")]
    [InlineData(10_000_000L, "1")]
    public void ToUnixSeconds_CutsToMicroseconds(long ticksAfterEpoch, string expected)
    {
        var seconds = EnvelopeWriter.ToUnixSeconds(DateTime.UnixEpoch.AddTicks(ticksAfterEpoch));

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), seconds);
    }

    [Fact]
    public void Write_ThousandSpans_AllArriveInOrder()
    {
        var root = TestTransactions.Finished("big", ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), TestTransactions.Start, TimeSpan.FromSeconds(10));
        var spans = new List<Activity>();
        for (var i = 0; i < SentryTransaction.MaxSpans; i++)
        {
            spans.Add(TestTransactions.Finished($"span {i}", root.TraceId, root.SpanId, TestTransactions.Start.AddMilliseconds(i), TimeSpan.FromMilliseconds(1), (SpanTags.Op, "task")));
        }

        var transaction = new SentryTransaction(root, spans, 0, DynamicSamplingContext.Empty, "custom", null, "production", false);

        var written = ParsedEnvelope.Parse(Write(transaction)).Payload.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("description").GetString()).ToArray();

        Assert.Equal(spans.Select(s => s.DisplayName), written);
    }
}
