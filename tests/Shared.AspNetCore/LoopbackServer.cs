using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TraceMiddleware.Testing;

/// <summary>
/// Starts a real Kestrel server on 127.0.0.1, on a port the OS picks so that tests running in parallel never
/// collide, with no log providers so that test output stays quiet. The caller disposes the app.
/// </summary>
public static class LoopbackServer
{
    /// <summary>A server that answers every request with <paramref name="handler"/>.</summary>
    public static Task<(WebApplication App, Uri BaseAddress)> StartAsync(RequestDelegate handler) =>
        StartAsync(app => app.Run(handler));

    /// <summary>
    /// A server whose endpoints <paramref name="map"/> adds; <paramref name="configure"/> may add services,
    /// settings, log providers or Kestrel limits first. The base address is <c>http://127.0.0.1:PORT/</c>.
    /// </summary>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(
        Action<WebApplication> map,
        Action<WebApplicationBuilder>? configure = null,
        WebApplicationOptions? options = null)
    {
        var builder = WebApplication.CreateSlimBuilder(options ?? new WebApplicationOptions());
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        configure?.Invoke(builder);
        var app = builder.Build();
        try
        {
            map(app);
            await app.StartAsync();
        }
        catch
        {
            // A failed start (a bad setting, say) would otherwise leave the host's services undisposed.
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.TrimEnd('/') + "/"));
    }
}
