using System.Net;
using Microsoft.Extensions.Primitives;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>The <c>X-Forwarded-For</c> value the tunnel sends on: the one that arrived, then the browser's address.</summary>
internal static class ForwardedForHeader
{
    public const string Name = "X-Forwarded-For";

    /// <summary>Appends <paramref name="client"/> (IPv4-mapped addresses as IPv4) to <paramref name="existing"/>.</summary>
    /// <returns>The value to send, or an empty string when there is nothing to send.</returns>
    public static string Append(StringValues existing, IPAddress? client)
    {
        var ip = client is { IsIPv4MappedToIPv6: true } ? client.MapToIPv4() : client;
        var previous = existing.Count == 0 ? null : string.Join(", ", existing.ToArray());

        // A value that could not be sent on would fail the whole upstream request.
        if (previous is not null && !IsPrintableAscii(previous))
        {
            previous = null;
        }

        return (previous, ip) switch
        {
            ({ Length: > 0 }, not null) => previous + ", " + ip,
            ({ Length: > 0 }, null) => previous,
            _ => ip?.ToString() ?? string.Empty,
        };
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
