using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TraceMiddleware.Configuration;
using TraceMiddleware.Export.InMemory;
using TraceMiddleware.IntegrationTests.Export.Sentry;
using TraceMiddleware.IntegrationTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.IntegrationTests.Export;

/// <summary>
/// What is kept out of Sentry (static files by default, ignore rules, <c>BeforeSendTransaction</c>), what is sent
/// about the request and its user with and without <c>SendDefaultPii</c>, and Sentry tags.
/// </summary>
public sealed class FilteringAndPrivacyTests
{
    private static readonly TimeSpan Wait = SpanCollector.Wait;

    [Theory]
    [InlineData(false, "/css/site.css")]
    [InlineData(true, "/css/site.css")]
    [InlineData(true, "/js/site.js")]
    public async Task StaticFiles_AreNotSent_ByDefault(bool middleware, string path)
    {
        await using var app = TestHosts.Pages(new() { ["Tracing:TracesSampleRate"] = "1", ["StaticFilesMiddleware"] = middleware.ToString() })
            .WithWebHostBuilder(b => b.ConfigureServices(s => s.AddInMemoryTraceExporter()));
        var exporter = app.Services.GetRequiredService<InMemoryTraceExporter>();
        var client = app.CreateClient();

        var asset = await client.GetAsync(path);
        var page = await ExportHosts.GetSampledAsync(client, "/");
        await exporter.WaitForTransactionAsync(t => t.TraceId == page, Wait);
        await app.DisposeAsync();

        Assert.True(asset.IsSuccessStatusCode, $"{path}: {asset.StatusCode}");
        Assert.DoesNotContain(exporter.Transactions, t => t.Name.Contains(path[..4], StringComparison.Ordinal) || t.Name.Contains("{", StringComparison.Ordinal) && t.Name.Contains("css", StringComparison.Ordinal));
        Assert.Single(exporter.Transactions);
    }

    [Fact]
    public async Task StaticFiles_AreSent_WhenIgnoreStaticFilesIsOff()
    {
        await using var app = TestHosts.Pages(new() { ["Tracing:TracesSampleRate"] = "1", ["Tracing:IgnoreStaticFiles"] = "false" })
            .WithWebHostBuilder(b => b.ConfigureServices(s => s.AddInMemoryTraceExporter()));
        var exporter = app.Services.GetRequiredService<InMemoryTraceExporter>();

        var traceId = await ExportHosts.GetSampledAsync(app.CreateClient(), "/css/site.css");

        var transaction = await exporter.WaitForTransactionAsync(t => t.TraceId == traceId, Wait);
        Assert.StartsWith("GET /css/site", transaction.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IgnoredTransaction_IsNotSent_ButItsTraceIsContinuedAndPassedOn()
    {
        await using var echo = await EchoServer.StartAsync();
        await using var app = ExportHosts.Minimal(
            new(ExportHosts.SampledSettings) { ["Tracing:IgnoreTransactions:0"] = "/health", ["Tracing:IgnoreTransactions:1"] = "^GET /call$" },
            s => s.AddInMemoryTraceExporter());
        var exporter = app.Services.GetRequiredService<InMemoryTraceExporter>();
        var client = app.CreateClient();

        var health = await ExportHosts.GetSampledAsync(client, "/health");
        var call = await ExportHosts.GetSampledAsync(client, $"/call?url={Uri.EscapeDataString(echo.BaseAddress + "x")}");
        var kept = await ExportHosts.GetSampledAsync(client, "/api/orders/1");
        await exporter.WaitForTransactionAsync(t => t.TraceId == kept, Wait);
        await SpanCollector.WaitForRequestAsync(call);

        Assert.DoesNotContain(exporter.Transactions, t => t.TraceId == health || t.TraceId == call);
        Assert.Matches($"^{call}-[0-9a-f]{{16}}-1$", echo.Single("/x")["sentry-trace"]);
        Assert.DoesNotContain(await SpanCollector.WaitForRequestAsync(call), s => s.Recorded);
    }

    [Fact]
    public async Task IgnoredStatusCodes_AreNotSent()
    {
        await using var app = ExportHosts.Minimal(
            new(ExportHosts.SampledSettings) { ["Tracing:IgnoreStatusCodes:0"] = "404", ["Tracing:IgnoreStatusCodes:1"] = "500-599" },
            s => s.AddInMemoryTraceExporter());
        var exporter = app.Services.GetRequiredService<InMemoryTraceExporter>();
        var client = app.CreateClient();

        var notFound = await SendAsync(client, "/status/404");
        var failed = await SendAsync(client, "/status/503");
        var conflict = await SendAsync(client, "/status/409");
        await exporter.WaitForTransactionAsync(t => t.TraceId == conflict, Wait);
        await SpanCollector.WaitForRequestAsync(failed);

        Assert.DoesNotContain(exporter.Transactions, t => t.TraceId == notFound || t.TraceId == failed);
    }

    [Fact]
    public async Task BadIgnoreStatusCode_StopsStartUp_NamingTheEntry()
    {
        await using var app = ExportHosts.Minimal(new(ExportHosts.SampledSettings) { ["Tracing:IgnoreStatusCodes:0"] = "5xx" });

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Tracing:IgnoreStatusCodes:0: '5xx' is not a status code or a range; write 404 or 500-599.", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeforeSendTransaction_ScrubsOneAndDropsAnother_OnTheExportPath()
    {
        var threads = new List<string>();
        await using var app = ExportHosts.Minimal(ExportHosts.SampledSettings, s => s
            .AddInMemoryTraceExporter()
            .AddTracing(o => o.BeforeSendTransaction = t =>
            {
                lock (threads)
                {
                    threads.Add(Activity.Current?.DisplayName ?? "(no span)");
                }

                if (t.Name == "GET /health")
                {
                    return null;
                }

                t.Name = "tagged (scrubbed)";
                t.Tags["scrubbed"] = "yes";
                foreach (var span in t.Spans)
                {
                    span.Description = span.Description.Replace("payments.internal", "payments", StringComparison.Ordinal);
                    span.Data.Remove("url.full");
                }

                return t;
            }));
        var exporter = app.Services.GetRequiredService<InMemoryTraceExporter>();
        var client = app.CreateClient();

        var dropped = await ExportHosts.GetSampledAsync(client, "/health");
        var scrubbed = await ExportHosts.GetSampledAsync(client, "/tagged");
        var transaction = await exporter.WaitForTransactionAsync(t => t.TraceId == scrubbed, Wait);
        await SpanCollector.WaitForRequestAsync(dropped);

        Assert.Equal("tagged (scrubbed)", transaction.Name);
        Assert.Equal("custom", transaction.TransactionSource);
        Assert.Equal("yes", transaction.Tags["scrubbed"]);
        var span = Assert.Single(transaction.Spans);
        Assert.Equal("GET http://payments/charge", span.Description);
        Assert.False(span.Data.ContainsKey("url.full"));
        Assert.DoesNotContain(exporter.Transactions, t => t.TraceId == dropped);
        lock (threads)
        {
            // The export loop has no request span current: the hook never runs on a request's path.
            Assert.All(threads, t => Assert.Equal("(no span)", t));
        }
    }

    [Fact]
    public async Task BeforeSendTransaction_ThatThrows_DropsThatTransaction_AndIsLoggedOnce()
    {
        var logs = new CapturingLoggerProvider();
        await using var app = ExportHosts.Minimal(
            ExportHosts.SampledSettings,
            s => s.AddInMemoryTraceExporter().AddTracing(o => o.BeforeSendTransaction = t => t.Name.Contains("orders", StringComparison.Ordinal) ? throw new InvalidOperationException("scrubber bug") : t),
            logs);
        var exporter = app.Services.GetRequiredService<InMemoryTraceExporter>();
        var client = app.CreateClient();

        var first = await ExportHosts.GetSampledAsync(client, "/api/orders/1");
        var second = await ExportHosts.GetSampledAsync(client, "/api/orders/2");
        var kept = await ExportHosts.GetSampledAsync(client, "/health");
        await exporter.WaitForTransactionAsync(t => t.TraceId == kept, Wait);
        await Eventually.TrueAsync(() => app.Pipeline().BeforeSend!.FailedCount == 2, "both failures counted");

        Assert.DoesNotContain(exporter.Transactions, t => t.TraceId == first || t.TraceId == second);
        var log = Assert.Single(logs.WithEventId(2009));
        Assert.IsType<InvalidOperationException>(log.Exception);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendDefaultPii_DecidesWhatIsSentAboutThePerson_FieldByField(bool pii)
    {
        await using var receiver = await SentryReceiver.StartAsync();
        await using var app = TestHosts.Minimal(new()
        {
            ["Tracing:Dsn"] = receiver.Dsn.Original,
            ["Tracing:TracesSampleRate"] = "1",
            ["Tracing:SendDefaultPii"] = pii.ToString(),
            ["Tracing:DefaultTags:region"] = "eu-west",
        }).WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter, ClientAddress>()));
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tagged?token=secret");
        request.Headers.Add("sentry-trace", $"{traceId}-b7ad6b7169203331-1");
        request.Headers.Add("User-Agent", "curl/8.0");
        request.Headers.Add("Cookie", "session=abc");
        request.Headers.Add("Authorization", "Bearer xyz");

        (await app.CreateClient().SendAsync(request)).EnsureSuccessStatusCode();
        var payload = (await receiver.WaitForTransactionAsync(traceId)).Payload;

        // Always: the method and the URL without its query; the app's tags and user; never the query, never credentials.
        var sentRequest = payload.GetProperty("request");
        Assert.Equal("GET", sentRequest.GetProperty("method").GetString());
        Assert.Equal("http://localhost/tagged", sentRequest.GetProperty("url").GetString());
        var tags = payload.GetProperty("tags");
        Assert.Equal("eu-west", tags.GetProperty("region").GetString());
        Assert.Equal("acme", tags.GetProperty("tenant").GetString());
        Assert.Equal("gold", tags.GetProperty("plan").GetString());
        var user = payload.GetProperty("user");
        Assert.Equal("42", user.GetProperty("id").GetString());
        Assert.Equal("ada@example.com", user.GetProperty("email").GetString());
        var data = payload.GetProperty("contexts").GetProperty("trace").GetProperty("data");
        Assert.Equal(3, data.GetProperty("app.cart.items").GetInt32());
        Assert.False(data.TryGetProperty("url.query", out _));
        var text = payload.GetRawText();
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer", text, StringComparison.Ordinal);
        Assert.DoesNotContain("4111", text, StringComparison.Ordinal);
        var child = Assert.Single(payload.GetProperty("spans").EnumerateArray());
        Assert.Equal("http://payments.internal/charge", child.GetProperty("data").GetProperty("url.full").GetString());

        // Only with SendDefaultPii: the headers, the cookies, the client's address, and what others wrote about the person.
        Assert.Equal(pii, sentRequest.TryGetProperty("headers", out var headers) && headers.GetProperty("User-Agent").GetString() == "curl/8.0");
        Assert.Equal(pii, sentRequest.TryGetProperty("cookies", out var cookies) && cookies.GetString() == "session=abc");
        Assert.Equal(pii, user.TryGetProperty("ip_address", out var ip) && ip.GetString() == "203.0.113.9");
        Assert.Equal(pii, data.TryGetProperty("user_agent.original", out _));
        Assert.Equal(pii, data.TryGetProperty("client.address", out _));
        Assert.Equal(pii, data.TryGetProperty("http.request.header.x-api-key", out _));
    }

    /// <summary>TestServer has no client address: this one, as Kestrel would give it.</summary>
    private sealed class ClientAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("203.0.113.9");
                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private static async Task<string> SendAsync(HttpClient client, string path) => await ExportHosts.GetSampledAsync(client, path, ensureSuccess: false);
}
