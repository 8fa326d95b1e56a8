import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { FreeFormJson } from '../../common/free-form-json.js';
import { IsTimestamp } from '../../common/timestamp.js';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { MaxChars } from '../../common/max-chars.js';

export class RelatedEntityDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  entityType!: string;
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  entityId!: string;
  @ApiProperty()
  @IsString()
  entityName!: string;
  @ApiProperty()
  @IsString()
  entityStatus!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @FreeFormJson()
  properties?: Record<string, unknown>;
}

const id = (): PropertyDecorator => (target, key) => {
  IsInt()(target, key);
  Min(1)(target, key);
  Max(Number.MAX_SAFE_INTEGER)(target, key);
};

/** Body of POST /api/onboarding/stage-completed: the fields of SPEC §2. */
export class StageCompletedDto {
  @ApiPropertyOptional({ description: 'a new UUID when absent', maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(100)
  eventId?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'now when absent' })
  @IsOptional()
  @IsTimestamp()
  timestamp?: string;
  @ApiPropertyOptional({ maxLength: 20 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxChars(20)
  version?: string;
  /** Must be the request's tenant (X-Tenant-Id) when given. */
  @ApiPropertyOptional({ description: 'must be the request tenant when given' })
  @IsOptional()
  @IsString()
  tenantId?: string;
  @ApiProperty()
  @id()
  onboardingId!: number;
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  leadId!: string;
  @ApiProperty()
  @id()
  workflowId!: number;
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  workflowName!: string;
  @ApiProperty()
  @id()
  completedStageId!: number;
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  completedStageName!: string;
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  stageCategory!: string;
  @ApiPropertyOptional()
  @IsOptional()
  @id()
  nextStageId?: number;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  nextStageName?: string;
  @ApiProperty({ minimum: 0, maximum: 100 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  completionRate!: number;
  @ApiProperty()
  @IsBoolean()
  isFinalStage!: boolean;
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  responsibleTeam!: string;
  @ApiPropertyOptional()
  @IsOptional()
  @id()
  assigneeId?: number;
  @ApiProperty()
  @IsString()
  assigneeName!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @FreeFormJson()
  businessContext?: Record<string, unknown>;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  routingTags?: string[];
  @ApiPropertyOptional({ default: 'Medium' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  priority?: string;
  @ApiProperty()
  @IsString()
  source!: string;
  @ApiPropertyOptional({ type: RelatedEntityDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => RelatedEntityDto)
  relatedEntity?: RelatedEntityDto;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  description?: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  tags?: string[];
}
