namespace Shop.Payments;

/// <summary>A completed charge.</summary>
public sealed record ChargeResult(string TransactionId, long OrderId, decimal Amount);
