using System.Text.Json;
using System.Text.Unicode;

namespace OpenDesign.Workflows.Domain;

/// <summary>
/// JSON strings that are not Unicode text. The parser accepts invalid UTF-8 inside a string and escapes such as a
/// lone <c>\ud800</c>; only reading the string as .NET text fails, with an InvalidOperationException that would
/// otherwise surface as a 500. Bodies are checked once when read, and the field readers refuse such a string too.
/// </summary>
public static class JsonText
{
    public const string InvalidMessage = "the request body holds a string that is not valid Unicode text (invalid UTF-8 or a lone surrogate)";

    /// <summary>Throws a 400 when any string or property name in this (syntactically valid) JSON is not Unicode text.</summary>
    public static void EnsureValid(ReadOnlySpan<byte> utf8Json, int maxDepth)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = maxDepth });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName)) continue;
            // Unescaped text is checked in place; escapes (where lone surrogates hide) need the decoded string.
            if (!reader.ValueIsEscaped)
            {
                if (!Utf8.IsValid(reader.ValueSpan)) throw Invalid();
                continue;
            }
            try
            {
                reader.GetString();
            }
            catch (InvalidOperationException)
            {
                throw Invalid();
            }
        }
    }

    /// <summary>The string value of a JSON string element, or a 400 when it is not Unicode text.</summary>
    public static string Read(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Invalid();
        }
    }

    private static DomainException Invalid() => DomainException.Invalid(InvalidMessage);
}
