using System.Net.Http.Json;
using Shop.Payments;

namespace Shop.Orders;

/// <summary>
/// The orders API's typed <c>IHttpClientFactory</c> client for payments. AddTracing puts its trace
/// handler on every factory client, so this class has no tracing code at all.
/// </summary>
public sealed class PaymentsClient(HttpClient http)
{
    /// <summary>Charges <paramref name="amount"/> for an order.</summary>
    public async Task<ChargeResult> ChargeAsync(long orderId, decimal amount, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("charge", new ChargeRequest(orderId, amount), cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ChargeResult>(cancellationToken)
            ?? throw new InvalidOperationException("payments answered an empty body");
    }
}
