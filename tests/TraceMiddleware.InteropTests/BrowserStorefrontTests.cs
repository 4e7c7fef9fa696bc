using TraceMiddleware.InteropTests.Infrastructure;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests;

/// <summary>
/// Headless Chromium loads the Shop sample's storefront (Sentry's browser SDK with browserTracingIntegration)
/// and places an order: one trace across the storefront, the browser, the orders API and payments.
/// </summary>
public sealed class BrowserStorefrontTests
{
    [Fact]
    public async Task OneTrace_AcrossStorefrontBrowserOrdersAndPayments()
    {
        // Arrange
        await using var standIn = await SentryIngestStandIn.StartAsync();
        await using var shop = await ShopUnderTest.StartAsync(standIn);

        // Act: load the page, wait for its pageload transaction, then place the order.
        await using var browser = await BrowserSession.OpenAsync(shop.Links.Storefront!);
        Assert.Matches("^[0-9a-f]{32}-[0-9a-f]{16}-1$", browser.MetaSentryTrace);
        var traceId = browser.MetaSentryTrace![..32];
        var pageSpanId = browser.MetaSentryTrace[33..49];
        var pageload = await standIn.WaitForTransactionAsync(t => t.TraceId == traceId && t.Op == "pageload", "pageload transaction");
        var (state, text) = await browser.PlaceOrderAsync();
        var withFetch = await standIn.WaitForTransactionAsync(
            t => t.TraceId == traceId && t.Spans.Any(IsOrdersFetch),
            "browser transaction with the orders fetch span");
        var spans = await SpanCollector.WaitForTraceAsync(
            traceId,
            s => s.Any(a => a.DisplayName == "POST /charge") && s.Any(a => a.DisplayName == "POST /api/orders"),
            "the orders and payments server spans");

        // Assert: the storefront's page span is what the meta tag and the browser's pageload point at.
        Assert.True(state == "done", $"the page shows '{text}'.\nbrowser:\n{browser.Diagnostics}");
        var storefront = Assert.Single(spans, a => a.Op() == "http.server" && a.SpanId.ToHexString() == pageSpanId);
        Assert.Equal("0000000000000000", storefront.ParentSpanId.ToHexString());
        Assert.Equal(pageSpanId, pageload.Root.ParentSpanId);
        Assert.Equal(browser.MetaBaggage is null ? null : BaggageText.SentryMembers(browser.MetaBaggage).OrderBy(p => p.Key), pageload.DynamicSamplingContext.OrderBy(p => p.Key));

        // Assert: the orders API's server span has the browser's fetch span as parent.
        var fetch = Assert.Single(withFetch.Spans, IsOrdersFetch);
        Assert.Equal(traceId, fetch.TraceId);
        var orders = Assert.Single(spans, a => a.Op() == "http.server" && a.DisplayName == "POST /api/orders");
        Assert.Equal(fetch.SpanId, orders.ParentSpanId.ToHexString());
        Assert.True(orders.Recorded);
        var save = Assert.Single(spans, a => a.Op() == "db.query" && a.DisplayName == "INSERT INTO orders");
        Assert.Equal(orders.SpanId, save.ParentSpanId);
        var call = Assert.Single(spans, a => a.Op() == "http.client" && a.ParentSpanId == orders.SpanId);

        // Assert: payments continues the same trace under the orders API's call, with its own two spans.
        var payments = Assert.Single(spans, a => a.Op() == "http.server" && a.DisplayName == "POST /charge");
        Assert.Equal(call.SpanId, payments.ParentSpanId);
        Assert.True(payments.Recorded);
        Assert.Contains(spans, a => a.Op() == "payment.charge" && a.ParentSpanId == payments.SpanId);
        Assert.Contains(spans, a => a.Op() == "db.query" && a.DisplayName == "INSERT INTO transactions" && a.ParentSpanId == payments.SpanId);

        // Assert: and that is what the three services sent to Sentry, each to its own project.
        var sentPage = await standIn.WaitForTransactionAsync(t => t.TraceId == traceId && t.Name == "GET /Index", "the storefront's transaction");
        var sentOrders = await standIn.WaitForTransactionAsync(t => t.TraceId == traceId && t.Name == "POST /api/orders", "the orders transaction");
        var sentPayments = await standIn.WaitForTransactionAsync(t => t.TraceId == traceId && t.Name == "POST /charge", "the payments transaction");
        Assert.Equal(("11", pageSpanId), (sentPage.Envelope.ProjectId, sentPage.Root.SpanId));
        Assert.Equal(("12", fetch.SpanId), (sentOrders.Envelope.ProjectId, sentOrders.Root.ParentSpanId));
        Assert.Equal(("13", call.SpanId.ToHexString()), (sentPayments.Envelope.ProjectId, sentPayments.Root.ParentSpanId));
        Assert.Contains(sentOrders.Spans, s => s.Op == "db.query" && s.Description == "INSERT INTO orders");
        Assert.Contains(sentPayments.Spans, s => s.Op == "payment.charge");

        // The whole trace shares the storefront's DSC: the browser, orders and payments passed it on unchanged.
        var pageDsc = sentPage.DynamicSamplingContext.OrderBy(p => p.Key).ToList();
        Assert.Equal(pageDsc, sentOrders.DynamicSamplingContext.OrderBy(p => p.Key));
        Assert.Equal(pageDsc, sentPayments.DynamicSamplingContext.OrderBy(p => p.Key));
        Assert.Equal(pageDsc, pageload.DynamicSamplingContext.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task WithoutAnyDsn_ThePageStillContinuesTheTrace_AndItsFetchCarriesItToOrders()
    {
        // Arrange
        await using var shop = await ShopUnderTest.StartAsync(standIn: null);

        // Act
        await using var browser = await BrowserSession.OpenAsync(shop.Links.Storefront!);
        var (state, text) = await browser.PlaceOrderAsync();
        var traceId = browser.MetaSentryTrace![..32];
        var pageSpanId = browser.MetaSentryTrace[33..49];
        var spans = await SpanCollector.WaitForTraceAsync(traceId, s => s.Any(a => a.DisplayName == "POST /charge"), "the payments server span");

        // Assert: orders continued the page's trace under a span the browser made, not under the page span.
        Assert.True(state == "done", $"the page shows '{text}'.\nbrowser:\n{browser.Diagnostics}");
        var orders = Assert.Single(spans, a => a.Op() == "http.server" && a.DisplayName == "POST /api/orders");
        Assert.Matches("^[0-9a-f]{16}$", orders.ParentSpanId.ToHexString());
        Assert.NotEqual("0000000000000000", orders.ParentSpanId.ToHexString());
        Assert.NotEqual(pageSpanId, orders.ParentSpanId.ToHexString());
        Assert.DoesNotContain(spans, a => a.SpanId == orders.ParentSpanId);
    }

    private static bool IsOrdersFetch(ReceivedSpan span) =>
        span.Op == "http.client" && span.Description is { } d && d.Contains("/api/orders", StringComparison.Ordinal) && d.StartsWith("POST", StringComparison.Ordinal);
}
