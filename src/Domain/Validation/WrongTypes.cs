namespace OpenDesign.Workflows.Domain.Validation;

/// <summary>
/// Where a body held a value of the wrong JSON type, as JSON paths (<c>$.surface</c>, <c>$.inputRefs[0].kind</c>).
/// The binder collects them all instead of stopping at the first, so a validator reports them in its own order, each
/// with its field's message, exactly where the field's other rules are checked.
/// </summary>
public sealed class WrongTypes
{
    public static WrongTypes None { get; } = new([]);

    private readonly HashSet<string> _paths;

    internal WrongTypes(HashSet<string> paths) => _paths = paths;

    /// <summary>The value at exactly this path had the wrong type.</summary>
    public bool At(string path) => _paths.Contains(path);

    /// <summary>The value at this path, or anything inside it, had the wrong type.</summary>
    public bool Within(string path) => _paths.Any(p => p == path
        || (p.Length > path.Length && p.StartsWith(path, StringComparison.Ordinal) && p[path.Length] is '.' or '['));
}
