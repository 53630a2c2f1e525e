/*
 * json_read.c - typed reads of a report document's members (json_read.h).
 */
#include "json_read.h"

#include "banned.h"

const cJSON *
json_get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

const char *
json_str(const cJSON *o, const char *key)
{
	const cJSON *v = json_get(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

long
json_count(const cJSON *o, const char *key)
{
	const cJSON *v = json_get(o, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e15)
		return -1;
	return (long)v->valuedouble;
}
