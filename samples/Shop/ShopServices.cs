using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Shop.Orders;
using Shop.Payments;
using Shop.Storefront;

namespace Shop;

/// <summary>
/// The three services of the seeds' cross-service example, each a separate ASP.NET Core application
/// with its own configuration (its own folder's appsettings.json), started in one process.
/// </summary>
public sealed class ShopServices : IAsyncDisposable
{
    /// <summary>The name of a service, as <see cref="ShopSettings.Configure"/> is given it. Each reads its settings from its own folder's appsettings.json.</summary>
    public const string StorefrontName = "storefront";

    /// <inheritdoc cref="StorefrontName"/>
    public const string OrdersName = "orders";

    /// <inheritdoc cref="StorefrontName"/>
    public const string PaymentsName = "payments";

    private ShopServices(WebApplication storefront, WebApplication orders, WebApplication payments, ShopLinks links)
    {
        Storefront = storefront;
        Orders = orders;
        Payments = payments;
        Links = links;
    }

    /// <summary>The storefront application.</summary>
    public WebApplication Storefront { get; }

    /// <summary>The orders API application.</summary>
    public WebApplication Orders { get; }

    /// <summary>The payments application.</summary>
    public WebApplication Payments { get; }

    /// <summary>Where each service listens.</summary>
    public ShopLinks Links { get; }

    /// <summary>Starts payments, then orders, then the storefront, so that each one's callee is up before it.</summary>
    public static async Task<ShopServices> StartAsync(ShopSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var links = new ShopLinks();
        var started = new List<WebApplication>();
        try
        {
            var payments = PaymentsService.Build(CreateBuilder(PaymentsName, "Payments", settings.PaymentsUrl, settings, links));
            links.Payments = await StartOneAsync(payments, started, cancellationToken);

            var orders = OrdersService.Build(CreateBuilder(OrdersName, "Orders", settings.OrdersUrl, settings, links));
            links.Orders = await StartOneAsync(orders, started, cancellationToken);

            var storefront = StorefrontService.Build(CreateBuilder(StorefrontName, "Storefront", settings.StorefrontUrl, settings, links));
            links.Storefront = await StartOneAsync(storefront, started, cancellationToken);

            return new ShopServices(storefront, orders, payments, links);
        }
        catch
        {
            for (var i = started.Count - 1; i >= 0; i--)
            {
                await started[i].DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Completes when any of the services is asked to stop (Ctrl+C stops all three).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAny(
            Storefront.WaitForShutdownAsync(cancellationToken),
            Orders.WaitForShutdownAsync(cancellationToken),
            Payments.WaitForShutdownAsync(cancellationToken));

    /// <summary>Stops the storefront, then orders, then payments.</summary>
    public async ValueTask DisposeAsync()
    {
        await Storefront.DisposeAsync();
        await Orders.DisposeAsync();
        await Payments.DisposeAsync();
    }

    private static WebApplicationBuilder CreateBuilder(string name, string folder, string url, ShopSettings settings, ShopLinks links)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = settings.Args,

            // Views and pages are compiled into this assembly; the test host or launcher is not it.
            ApplicationName = typeof(ShopServices).Assembly.GetName().Name,
            ContentRootPath = Path.Combine(AppContext.BaseDirectory, folder),
        });
        builder.WebHost.UseUrls(url);
        builder.Services.AddSingleton(links);
        settings.Configure?.Invoke(name, builder);
        return builder;
    }

    private static async Task<Uri> StartOneAsync(WebApplication app, List<WebApplication> started, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        started.Add(app);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }
}
