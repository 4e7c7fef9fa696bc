namespace Shop.Payments;

/// <summary>What the orders API posts to <c>/charge</c>.</summary>
public sealed record ChargeRequest(long OrderId, decimal Amount);
