namespace TraceMiddleware.Propagation;

/// <summary>
/// Something that can give a trace's Dynamic Sampling Context when it is first needed: a finished transaction asks
/// its root for it on the export path, not on the request's.
/// </summary>
internal interface IDynamicSamplingContextSource
{
    DynamicSamplingContext GetDynamicSamplingContext();
}
