using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TaskFlow;

/// <summary>Binds JSON arguments to a task's argument type, naming the field at fault when they do not fit.</summary>
public static class TaskArgsBinder
{
    /// <summary>Binds <paramref name="args"/> to the argument type of <paramref name="registration"/>.</summary>
    /// <exception cref="TaskValidationException">The args do not bind; <c>Field</c> is <c>args</c> or <c>args.&lt;field&gt;</c>.</exception>
    public static object Bind(TaskRegistration registration, JsonElement args)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var typeInfo = TaskFlowJson.Args.GetTypeInfo(registration.ArgsType);
        if (typeInfo.Kind == JsonTypeInfoKind.Object)
            CheckObjectShape(registration.Name, typeInfo, args);

        object bound;
        try
        {
            bound = args.Deserialize(typeInfo)
                    ?? throw new TaskValidationException("args", $"the arguments of '{registration.Name}' must not be null.");
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            var expected = field == "args" ? Describe(registration.ArgsType) : DescribeMember(typeInfo, ex.Path);
            throw new TaskValidationException(field, $"has a value that does not fit; expected {expected}.");
        }

        CheckAnnotations(typeInfo, bound);
        return bound;
    }

    /// <summary>Checks the data annotations of typed arguments (as <see cref="Bind"/> does for JSON ones).</summary>
    /// <exception cref="TaskValidationException">An annotation fails; <c>Field</c> is <c>args.&lt;field&gt;</c>.</exception>
    public static void Validate(TaskRegistration registration, object args)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(args);
        CheckAnnotations(TaskFlowJson.Args.GetTypeInfo(registration.ArgsType), args);
    }

    /// <summary>Honours data annotations on the argument type (<c>[Range]</c>, <c>[EmailAddress]</c>…).</summary>
    private static void CheckAnnotations(JsonTypeInfo typeInfo, object bound)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object || !HasAnnotations(typeInfo.Type)) return;
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(bound, new ValidationContext(bound), results, validateAllProperties: true)) return;
        var first = results[0];
        var member = first.MemberNames.FirstOrDefault();
        var jsonName = typeInfo.Properties.FirstOrDefault(p => p.AttributeProvider is System.Reflection.MemberInfo m && m.Name == member)?.Name ?? member;
        throw new TaskValidationException(jsonName is null ? "args" : $"args.{jsonName}", first.ErrorMessage ?? "is not valid.");
    }

    /// <summary>Serializes typed arguments the way <see cref="Bind"/> reads them.</summary>
    public static string Serialize(object args, Type argsType) => JsonSerializer.Serialize(args, argsType, TaskFlowJson.Args);

    private static void CheckObjectShape(string taskName, JsonTypeInfo typeInfo, JsonElement args)
    {
        if (args.ValueKind != JsonValueKind.Object)
            throw new TaskValidationException("args",
                $"must be a JSON object for task '{taskName}' (was {args.ValueKind.ToString().ToLowerInvariant()}); accepted fields: {Accepted(typeInfo)}.");

        var known = typeInfo.Properties.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var property in args.EnumerateObject())
        {
            if (!known.ContainsKey(property.Name))
                throw new TaskValidationException($"args.{property.Name}",
                    $"is not an argument of task '{taskName}'; accepted fields: {Accepted(typeInfo)}.");
        }

        var present = args.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var required in RequiredNames(typeInfo))
        {
            if (!present.Contains(required))
                throw new TaskValidationException($"args.{required}",
                    $"is required by task '{taskName}' ({Describe(known[required].PropertyType)}).");
        }
    }

    // Validator reflects over every property on each call; most argument types carry no annotations at all.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> Annotated = new();

    private static bool HasAnnotations(Type type) => Annotated.GetOrAdd(type, static t =>
        typeof(IValidatableObject).IsAssignableFrom(t) ||
        t.GetProperties().Any(p => p.GetCustomAttributes(typeof(ValidationAttribute), inherit: true).Length > 0));

    private static IEnumerable<string> RequiredNames(JsonTypeInfo typeInfo) =>
        typeInfo.Properties
            .Where(p => p.IsRequired || p.AssociatedParameter is { HasDefaultValue: false, IsMemberInitializer: false })
            .Select(p => p.Name);

    private static string Accepted(JsonTypeInfo typeInfo) =>
        typeInfo.Properties.Count == 0 ? "none" : string.Join(", ", typeInfo.Properties.Select(p => p.Name));

    private static string FieldOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return "args";
        return "args" + jsonPath.TrimStart('$');
    }

    private static string DescribeMember(JsonTypeInfo typeInfo, string? jsonPath)
    {
        var first = jsonPath?.TrimStart('$', '.').Split('.', '[')[0];
        var property = typeInfo.Properties.FirstOrDefault(p => string.Equals(p.Name, first, StringComparison.OrdinalIgnoreCase));
        return property is null ? "a value of the declared type" : Describe(property.PropertyType);
    }

    private static string Describe(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        var suffix = underlying is null ? "" : " or null";
        type = underlying ?? type;
        var text = type switch
        {
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "an integer",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
            _ when type == typeof(Guid) => "a GUID string",
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "an ISO-8601 timestamp string",
            _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(JsonNamingPolicy.CamelCase.ConvertName)),
            _ when type.IsArray || (type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type)) => "an array",
            _ => "a JSON object",
        };
        return text + suffix;
    }
}
