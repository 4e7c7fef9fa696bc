namespace Shop.Orders;

/// <summary>What the storefront posts to <c>/api/orders</c>.</summary>
public sealed record OrderRequest(string Item, int Quantity);
