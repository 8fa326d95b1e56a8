import { ApiProperty } from '@nestjs/swagger';

/** Every error response (SPEC §9). */
export class ErrorView {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'pageSize must not be greater than 200' }) message!: string;
}
