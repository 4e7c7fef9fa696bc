using Microsoft.Extensions.Configuration;
using TraceMiddleware.Configuration;
using TraceMiddleware.DependencyInjection;

namespace TraceMiddleware.Tests.Export;

/// <summary>Binding and validation of the export settings of <see cref="TracingOptions"/>.</summary>
public sealed class ExportOptionsTests
{
    private static TracingOptions Bind(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>("Tracing:" + s.Key, s.Value)))
            .Build();
        var options = new TracingOptions();
        TracingOptionsBinder.Bind(configuration.GetSection("Tracing"), options);
        return options;
    }

    private static IReadOnlyList<string> Validate(TracingOptions options)
    {
        var result = new TracingOptionsValidator(new TracingRegistration()).Validate(null, options);
        return result.Failed ? result.Failures.ToList() : [];
    }

    [Fact]
    public void Defaults_AreAutoConsole_1000Queue_100Batch_3Seconds_AndValid()
    {
        var options = new TracingOptions();

        Assert.Null(options.ConsoleExporter);
        Assert.Equal(1000, options.ExportQueueCapacity);
        Assert.Equal(100, options.ExportBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(3), options.ShutdownTimeout);
        Assert.Empty(Validate(options));
    }

    [Fact]
    public void Bind_ReadsEveryExportSetting()
    {
        var options = Bind(("ConsoleExporter", "true"), ("ExportQueueCapacity", "50"), ("ExportBatchSize", "7"), ("ShutdownTimeout", "00:00:10"));

        Assert.True(options.ConsoleExporter);
        Assert.Equal(50, options.ExportQueueCapacity);
        Assert.Equal(7, options.ExportBatchSize);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ShutdownTimeout);
        Assert.Empty(options.ConfigurationErrors);
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("TRUE", true)]
    [InlineData("", null)]
    public void Bind_ConsoleExporter_IsTrueFalseOrEmptyForAuto(string value, bool? expected)
    {
        var options = Bind(("ConsoleExporter", value));

        Assert.Equal(expected, options.ConsoleExporter);
        Assert.Empty(options.ConfigurationErrors);
    }

    [Theory]
    [InlineData("00:00:00.250", 250)]
    [InlineData("0:0:5", 5000)]
    [InlineData("00:01:30", 90000)]
    public void Bind_ShutdownTimeout_ReadsTimeSpans(string value, int milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Bind(("ShutdownTimeout", value)).ShutdownTimeout);
    }

    [Theory]
    [InlineData("ConsoleExporter", "sometimes", "Tracing:ConsoleExporter: 'sometimes' is not true or false")]
    [InlineData("ExportQueueCapacity", "lots", "Tracing:ExportQueueCapacity: 'lots' is not a whole number.")]
    [InlineData("ExportQueueCapacity", "1.5", "Tracing:ExportQueueCapacity: '1.5' is not a whole number.")]
    [InlineData("ExportQueueCapacity", "99999999999", "Tracing:ExportQueueCapacity: '99999999999' is not a whole number.")]
    [InlineData("ExportBatchSize", "ten", "Tracing:ExportBatchSize: 'ten' is not a whole number.")]
    [InlineData("ShutdownTimeout", "3", "Tracing:ShutdownTimeout: '3' has no unit; write a time span such as 00:00:03 for 3 seconds.")]
    [InlineData("ShutdownTimeout", "90", "Tracing:ShutdownTimeout: '90' has no unit; write a time span such as 00:01:30 for 90 seconds.")]
    [InlineData("ShutdownTimeout", "5000000", "Tracing:ShutdownTimeout: '5000000' has no unit; write a time span such as 00:00:03 for three seconds.")]
    [InlineData("ShutdownTimeout", "3s", "Tracing:ShutdownTimeout: '3s' is not a time span; write hh:mm:ss such as 00:00:03.")]
    [InlineData("ShutdownTimeout", "00:00:99", "Tracing:ShutdownTimeout: '00:00:99' is not a time span")]
    public void Bind_BadValue_IsAnErrorNamingTheKeyAndTheReason(string key, string value, string message)
    {
        var options = Bind((key, value));

        var error = Assert.Single(options.ConfigurationErrors);
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "Tracing:ExportQueueCapacity: 0 is less than 1")]
    [InlineData(-5, "Tracing:ExportQueueCapacity: -5 is less than 1")]
    public void Validate_QueueCapacityBelowOne_Fails(int capacity, string message)
    {
        var errors = Validate(new TracingOptions { ExportQueueCapacity = capacity });

        Assert.StartsWith(message, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BatchSizeBelowOne_Fails()
    {
        var errors = Validate(new TracingOptions { ExportBatchSize = 0 });

        Assert.StartsWith("Tracing:ExportBatchSize: 0 is less than 1", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(1, false)]
    public void Validate_LimitsOfOne_AreValid(int value, bool queue)
    {
        var options = queue ? new TracingOptions { ExportQueueCapacity = value } : new TracingOptions { ExportBatchSize = value };

        Assert.Empty(Validate(options));
    }

    [Theory]
    [InlineData(0L, "Tracing:ShutdownTimeout: 00:00:00 is not longer than zero")]
    [InlineData(-10_000_000L, "Tracing:ShutdownTimeout: -00:00:01 is not longer than zero")]
    [InlineData((TracingOptions.MaxShutdownTimeoutSeconds * 10_000_000L) + 1, "Tracing:ShutdownTimeout: 01:00:00.0000001 is longer than the limit of 01:00:00.")]
    public void Validate_ShutdownTimeoutOutOfRange_Fails(long ticks, string message)
    {
        var errors = Validate(new TracingOptions { ShutdownTimeout = TimeSpan.FromTicks(ticks) });

        Assert.StartsWith(message, Assert.Single(errors), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(TracingOptions.MaxShutdownTimeoutSeconds * 10_000_000L)]
    public void Validate_ShutdownTimeoutAtTheEdges_IsValid(long ticks)
    {
        Assert.Empty(Validate(new TracingOptions { ShutdownTimeout = TimeSpan.FromTicks(ticks) }));
    }
}
