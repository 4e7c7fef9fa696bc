using System.Text.RegularExpressions;
using TraceMiddleware.InteropTests.Infrastructure;
using TraceMiddleware.Testing;
using Xunit.Abstractions;

namespace TraceMiddleware.InteropTests;

/// <summary>
/// The Shop sample as <c>dotnet run</c> starts it (Development, no DSN), driven by Chromium: after an order the
/// console shows one tree for it, across the browser, the orders API and payments.
/// </summary>
public sealed partial class ShopConsoleTreeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AfterAnOrder_TheConsoleShowsOneTree_BrowserOrdersAndPayments_NestedByParentSpan_EachRootNamed()
    {
        // Arrange
        var logs = new CapturingLoggerProvider();
        await using var shop = await ShopUnderTest.StartDevelopmentAsync(logs);
        await using var browser = await BrowserSession.OpenAsync(shop.Links.Storefront!);
        var traceId = browser.MetaSentryTrace![..32];

        // The page request's own tree comes first, once its window has passed.
        var page = await WaitForTreeAsync(logs, traceId, tree => tree.Contains("[storefront] http.server  GET /Index", StringComparison.Ordinal));

        // Act
        var (state, text) = await browser.PlaceOrderAsync();
        var order = await WaitForTreeAsync(logs, traceId, tree => tree.Contains("POST /charge", StringComparison.Ordinal));
        output.WriteLine(page);
        output.WriteLine(order);

        // Assert: the order is one tree, apart from the page's.
        Assert.True(state == "done", $"the page shows '{text}'.\nbrowser:\n{browser.Diagnostics}");
        Assert.DoesNotContain("POST /api/orders", page, StringComparison.Ordinal);
        Assert.Single(Trees(logs, traceId), t => t.Contains("POST /api/orders", StringComparison.Ordinal));
        var lines = Shape(order);
        var start = lines.FindIndex(l => l.Text == "[browser] ui.action  process_order");
        Assert.True(start >= 0, "no [browser] ui.action line:\n" + order);
        var depth = lines[start].Depth;
        var orders = shop.Links.Orders!.GetLeftPart(UriPartial.Authority);
        var payments = shop.Links.Payments!.GetLeftPart(UriPartial.Authority);
        Assert.Equal(
            [
                (depth, "[browser] ui.action  process_order"),
                (depth + 1, $"http.client  POST {orders}/api/orders"),
                (depth + 2, "[orders] http.server  POST /api/orders"),
                (depth + 3, "db.query  INSERT INTO orders"),
                (depth + 3, $"http.client  POST {payments}/charge"),
                (depth + 4, "[payments] http.server  POST /charge"),
                (depth + 5, "payment.charge  charge card"),
                (depth + 5, "db.query  INSERT INTO transactions"),
            ],
            lines.Skip(start).TakeWhile(l => l.Depth >= depth).Select(l => (l.Depth, l.Text)));
        Assert.All(lines, l => Assert.Equal("ok", l.Status));

        // The page's tree was logged before the order's roots came: theirs says it continues the trace.
        Assert.Equal((0, "[storefront] http.server  GET /Index"), Shape(page).Select(l => (l.Depth, l.Text)).First());
        Assert.Equal("(continued: more of this trace was printed before)", order.Split('\n')[1]);
    }

    private static IEnumerable<string> Trees(CapturingLoggerProvider logs, string traceId) =>
        logs.Entries.Where(e => e.EventId.Id == 2010 && e.Message.StartsWith($"Trace {traceId}\n", StringComparison.Ordinal)).Select(e => e.Message);

    private static async Task<string> WaitForTreeAsync(CapturingLoggerProvider logs, string traceId, Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + Waits.Peer;
        while (DateTime.UtcNow < deadline)
        {
            if (Trees(logs, traceId).FirstOrDefault(match) is { } tree)
            {
                return tree;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"no console tree of trace {traceId} as expected within {Waits.Peer}; trees:\n{string.Join("\n\n", logs.Entries.Where(e => e.EventId.Id == 2010).Select(e => e.Message))}");
    }

    /// <summary>Each line of a tree as its depth, its text up to the duration, and its status.</summary>
    private static List<(int Depth, string Text, string Status)> Shape(string tree)
    {
        var lines = new List<(int, string, string)>();
        foreach (var line in tree.Split('\n').Skip(1))
        {
            if (line.StartsWith('('))
            {
                continue;
            }

            var match = TreeLine().Match(line);
            Assert.True(match.Success, $"not a tree line: '{line}'");
            lines.Add((match.Groups["indent"].Length / 2, match.Groups["text"].Value, match.Groups["status"].Value));
        }

        return lines;
    }

    [GeneratedRegex(@"^(?<indent>(  )*)(?<text>\S.*?)  \d+\.\d ms  (?<status>\S+)  #[0-9a-f]{8}$")]
    private static partial Regex TreeLine();
}
