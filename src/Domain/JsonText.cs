using System.Text.Json;
using System.Text.Unicode;

namespace OpenDesign.Workflows.Domain;

/// <summary>
/// JSON strings that are not Unicode text. The parser accepts invalid UTF-8 inside a string and escapes such as a
/// lone <c>\ud800</c>; only reading the string as .NET text fails, with an InvalidOperationException that would
/// otherwise surface as a 500. Bodies are checked once, whole, before they are bound.
/// </summary>
public static class JsonText
{
    /// <summary>How deeply a request body may nest.</summary>
    public const int MaxDepth = 32;

    public const string InvalidMessage = "the request body holds a string that is not valid Unicode text (invalid UTF-8 or a lone surrogate)";

    /// <summary>
    /// Throws a 400 when the JSON is not one well-formed value ("not valid JSON", also when it nests deeper than
    /// <see cref="MaxDepth"/>) or when any string or property name in it is not Unicode text. Syntax is judged over the
    /// whole text first, so a body with both faults is called not JSON.
    /// </summary>
    public static void EnsureValid(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var text = true;
        try
        {
            while (reader.Read())
            {
                if (!text || reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
                text = IsText(ref reader);
            }
        }
        catch (JsonException)
        {
            throw DomainException.Invalid(NotJsonMessage);
        }
        if (!text) throw Invalid();
    }

    public const string NotJsonMessage = "the request body is not valid JSON";

    private static bool IsText(ref Utf8JsonReader reader)
    {
        // Unescaped text is checked in place; escapes (where lone surrogates hide) need the decoded string.
        if (!reader.ValueIsEscaped) return Utf8.IsValid(reader.ValueSpan);
        try
        {
            reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static DomainException Invalid() => DomainException.Invalid(InvalidMessage);
}
