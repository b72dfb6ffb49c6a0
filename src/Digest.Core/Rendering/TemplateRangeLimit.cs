using System.Globalization;
using Fluid.Ast;

namespace Digest.Rendering;

/// <summary>
/// Finds loops over literal ranges larger than the step limit. Fluid builds the whole range before it counts
/// the first step (a loop over 2×10⁸ numbers took 13.4 GB), so <see cref="Fluid.TemplateOptions.MaxSteps"/>
/// alone does not make such a template fail fast; this check refuses it when the template is read. A range
/// whose bounds are variables is only bounded by the data the templates see (counts of an edition).
/// </summary>
internal sealed class TemplateRangeLimit(int max) : AstVisitor
{
    public List<string> Problems { get; } = [];

    protected override Expression VisitRangeExpression(RangeExpression range)
    {
        if (range.From is LiteralExpression { Value: var from } && range.To is LiteralExpression { Value: var to })
        {
            var count = to.ToNumberValue() - from.ToNumberValue() + 1;
            if (count > max)
                Problems.Add(string.Format(CultureInfo.InvariantCulture, "a loop over ({0}..{1}) has {2:N0} numbers; at most {3:N0} are allowed",
                    from.ToStringValue(), to.ToStringValue(), count, max));
        }
        return base.VisitRangeExpression(range);
    }
}
