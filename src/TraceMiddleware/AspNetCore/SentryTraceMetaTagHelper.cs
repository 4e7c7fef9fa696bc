using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace TraceMiddleware.AspNetCore;

/// <summary>
/// <c>&lt;sentry-trace-meta /&gt;</c>: renders the <c>sentry-trace</c> and <c>baggage</c> meta tags of the
/// current request (see <see cref="TraceMetaTags"/>), or nothing when there is no trace. Register it
/// with <c>@addTagHelper *, TraceMiddleware</c> in <c>_ViewImports.cshtml</c> and put it in <c>&lt;head&gt;</c>.
/// </summary>
[HtmlTargetElement("sentry-trace-meta", TagStructure = TagStructure.WithoutEndTag)]
public sealed class SentryTraceMetaTagHelper : TagHelper
{
    /// <summary>The view being rendered; set by Razor.</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext? ViewContext { get; set; }

    /// <inheritdoc />
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.TagName = null;
        var httpContext = ViewContext?.HttpContext;
        var html = httpContext is null ? string.Empty : TraceMetaTags.Render(httpContext);
        output.Content.SetHtmlContent(html);
    }
}
