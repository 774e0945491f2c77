using System.ComponentModel;
using System.Reflection;
using TaskFlow.Security;

namespace TaskFlow.UnitTests.Deploy;

/// <summary>What a TaskFlow configuration key may be, read from the options classes the way configuration binding
/// reads them: names case-insensitive, a property that binds (settable, or a section bound in place), a dictionary
/// section taking any entry name, and a key ending at a value, not a section.</summary>
internal static class TaskFlowSettingShape
{
    // Longest first, so TaskFlow:Dashboard:… resolves against the dashboard options, which bind there separately.
    private static readonly (string Section, Type Options)[] Roots =
    [
        (TaskFlowDashboardOptions.SectionName, typeof(TaskFlowDashboardOptions)),
        (TaskFlowOptions.SectionName, typeof(TaskFlowOptions)),
    ];

    /// <summary>A key in configuration form: <c>TaskFlow__A__B</c> (environment) becomes <c>TaskFlow:A:B</c>.</summary>
    public static string Normalize(string key) => key.Replace("__", ":", StringComparison.Ordinal);

    public static bool IsTaskFlowKey(string key) =>
        Normalize(key).StartsWith(TaskFlowOptions.SectionName + ":", StringComparison.OrdinalIgnoreCase);

    /// <summary>The type of the value the key sets, or why the key sets nothing.</summary>
    public static (Type? Type, string? Problem) Resolve(string key)
    {
        var normalized = Normalize(key);
        var (section, type) = Roots.FirstOrDefault(r => normalized.StartsWith(r.Section + ":", StringComparison.OrdinalIgnoreCase));
        if (type is null) return (null, $"is not under the {TaskFlowOptions.SectionName} section");

        var path = section;
        foreach (var name in normalized[(section.Length + 1)..].Split(':'))
        {
            if (name.Length == 0) return (null, $"has an empty name after {path}");
            if (IsValue(type)) return (null, $"goes past the value {path} ({Describe(type)})");
            if (DictionaryValueType(type) is { } entryType)
            {
                type = entryType;
            }
            else
            {
                var property = type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (property is null || property.GetIndexParameters().Length > 0)
                    return (null, $"names nothing: {type.Name} has no setting '{name}' under {path}");
                if (!Binds(property))
                    return (null, $"names {type.Name}.{property.Name}, which configuration cannot set (read-only)");
                type = property.PropertyType;
            }
            path += ":" + name;
        }
        return IsValue(type) ? (type, null) : (null, $"names the section {path}, not a value");
    }

    /// <summary>Why the value does not bind to the type, or null when it does. Enums take their member names only
    /// (a number would bind, but says nothing to a reader).</summary>
    public static string? CheckValue(Type type, string value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsEnum)
        {
            return Enum.GetNames(target).Contains(value.Trim(), StringComparer.OrdinalIgnoreCase)
                ? null
                : $"'{value}' is not one of {string.Join(", ", Enum.GetNames(target))}";
        }
        try
        {
            TypeDescriptor.GetConverter(target).ConvertFromInvariantString(value);
            return null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException || ex.InnerException is FormatException)
        {
            return $"'{value}' is not a {Describe(target)}";
        }
    }

    // Configuration binding converts a value with the type's TypeConverter; anything else is a section of keys.
    private static bool IsValue(Type type) =>
        TypeDescriptor.GetConverter(Nullable.GetUnderlyingType(type) ?? type).CanConvertFrom(typeof(string));

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string) &&
        typeof(IDictionary<,>).MakeGenericType(key, value).IsAssignableFrom(type)
            ? value
            : null;

    // A value needs a public setter; a section (object, dictionary) is also bound into the instance a getter returns.
    private static bool Binds(PropertyInfo property) =>
        property.SetMethod is { IsPublic: true } || (property.GetMethod is { IsPublic: true } && !IsValue(property.PropertyType));

    private static string Describe(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(TimeSpan) => "TimeSpan (hh:mm:ss)",
            var t when t == typeof(bool) => "bool (true or false)",
            var t when t == typeof(int) => "whole number",
            var t when t == typeof(double) => "number",
            var t => t.Name,
        };
}
