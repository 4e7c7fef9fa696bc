using System.Diagnostics;
using Sentry;
using TraceMiddleware.Sentry;
using TraceMiddleware.Tests.Export;

namespace TraceMiddleware.Tests.SentrySdk;

/// <summary>
/// Which span an event Sentry's SDK captures is put in: where its exception was first thrown in the trace it is
/// captured in, the nearest span of ours a transaction holds, and nothing outside our traces.
/// </summary>
public sealed class TraceContextEventProcessorTests : IDisposable
{
    private const string ForeignSourceName = "TraceMiddleware.Tests.Foreign";

    private static readonly InvalidOperationException Cached = new("thrown again and again");

    private readonly ExportTestRuntime _tracing = new();
    private readonly TraceContextEventProcessor _processor = new();
    private readonly ActivitySource _foreign = new(ForeignSourceName);
    private readonly ActivityListener _foreignListener = new()
    {
        ShouldListenTo = source => source.Name == ForeignSourceName,
        Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
    };

    public TraceContextEventProcessorTests()
    {
        ThrowSites.Install();
        ActivitySource.AddActivityListener(_foreignListener);
    }

    [Fact]
    public void ExceptionThrownInAChildSpan_IsPutInThatSpan_AfterTheSpanHasEnded()
    {
        // Arrange
        using var root = _tracing.Tracer.StartTransaction("nightly export")!;
        Activity child = null!;
        Exception thrown;

        // Act
        try
        {
            using (child = _tracing.Tracer.StartSpan("write file", "file.write")!)
            {
                throw new IOException("disk full");
            }
        }
        catch (IOException exception)
        {
            thrown = exception;
        }

        var processed = _processor.Process(new SentryEvent(thrown))!;

        // Assert
        Assert.Equal(root.TraceId.ToHexString(), processed.Contexts.Trace.TraceId.ToString());
        Assert.Equal(child.SpanId.ToHexString(), processed.Contexts.Trace.SpanId.ToString());
        Assert.Equal(root.SpanId.ToHexString(), processed.Contexts.Trace.ParentSpanId.ToString());
        Assert.Equal("nightly export", processed.TransactionName);
    }

    [Fact]
    public void ExceptionRethrownFurtherOut_KeepsTheSpanItWasFirstThrownIn()
    {
        // Arrange
        using var root = _tracing.Tracer.StartTransaction("import")!;
        Activity child = null!;
        Exception thrown;

        // Act
        try
        {
            try
            {
                using (child = _tracing.Tracer.StartSpan("parse row", "function")!)
                {
                    throw new FormatException("bad row");
                }
            }
            catch (FormatException)
            {
                throw;
            }
        }
        catch (FormatException exception)
        {
            thrown = exception;
        }

        var processed = _processor.Process(new SentryEvent(thrown))!;

        // Assert
        Assert.Equal(child.SpanId.ToHexString(), processed.Contexts.Trace.SpanId.ToString());
    }

    [Fact]
    public void ExceptionInstanceThrownAgainInAnotherTrace_IsPutInTheSpanOfThatThrow()
    {
        // Arrange
        Throw(Cached, "first", _ => { });
        Activity second = null!;

        // Act
        var processed = Throw(Cached, "second", span => second = span);

        // Assert
        Assert.Equal(second.TraceId.ToHexString(), processed.Contexts.Trace.TraceId.ToString());
        Assert.Equal(second.SpanId.ToHexString(), processed.Contexts.Trace.SpanId.ToString());
        Assert.Equal("second", processed.TransactionName);
    }

    [Fact]
    public void ExceptionThrownInASpanOfAnotherSource_IsPutInTheNearestSpanOfOurs()
    {
        // Arrange
        using var root = _tracing.Tracer.StartTransaction("checkout")!;
        using var ours = _tracing.Tracer.StartSpan("charge card", "payment")!;
        using var library = _foreign.StartActivity("library call")!;

        // Act
        var processed = _processor.Process(new SentryEvent { Message = "payment provider slow" })!;

        // Assert
        Assert.NotNull(library);
        Assert.Equal(ours.SpanId.ToHexString(), processed.Contexts.Trace.SpanId.ToString());
        Assert.Equal(root.SpanId.ToHexString(), processed.Contexts.Trace.ParentSpanId.ToString());
    }

    [Fact]
    public void EventOutsideOurTraces_IsLeftAsSentrysSdkMadeIt()
    {
        // Arrange
        using var library = _foreign.StartActivity("no trace of ours")!;
        var sentrysOwn = SentryId.Create();
        var captured = new SentryEvent(new InvalidOperationException("elsewhere")) { TransactionName = "Sentry's name" };
        captured.Contexts.Trace.TraceId = sentrysOwn;

        // Act
        var processed = _processor.Process(captured)!;

        // Assert
        Assert.Equal(sentrysOwn, processed.Contexts.Trace.TraceId);
        Assert.Equal("Sentry's name", processed.TransactionName);
    }

    public void Dispose()
    {
        _foreignListener.Dispose();
        _foreign.Dispose();
    }

    private SentryEvent Throw(Exception exception, string transaction, Action<Activity> seen)
    {
        using var root = _tracing.Tracer.StartTransaction(transaction)!;
        try
        {
            using var span = _tracing.Tracer.StartSpan("reuse", "cache")!;
            seen(span);
            throw exception;
        }
        catch (InvalidOperationException caught)
        {
            return _processor.Process(new SentryEvent(caught))!;
        }
    }
}
