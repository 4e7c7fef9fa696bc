namespace Shop.Orders;

/// <summary>The orders API's answer: the saved order and the payment that paid it.</summary>
public sealed record OrderPlaced(long OrderId, string TransactionId, decimal Amount);
